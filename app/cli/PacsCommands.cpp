// SPDX-License-Identifier: Apache-2.0
// `lightbox pacs echo|find|get|send|listen|nodes` (issue 27): the department's archive over DIMSE.
#include "app/cli/Arguments.h"
#include "app/cli/Commands.h"

#include "core/index/StudyIndex.h"
#include "core/net/DicomNetwork.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace lightbox::cli {

namespace {

constexpr const char* kPacsUsage =
    "usage: lightbox pacs echo NODE\n"
    "       lightbox pacs find NODE [--level patient|study|series] [--patient-name P] [--patient-id ID]\n"
    "                               [--study-date YYYYMMDD[-YYYYMMDD]] [--modality M] [--accession A]\n"
    "                               [--study-uid U] [--json]\n"
    "       lightbox pacs get NODE --study-uid U [--series-uid S] [--method get|move] [--json]\n"
    "       lightbox pacs send NODE PATH...\n"
    "       lightbox pacs listen [--port P] [--aet A]\n"
    "       lightbox pacs nodes [add NAME AET@host:port | remove NAME | local AET PORT]\n"
    "NODE: a name from the node list (lightbox pacs nodes), AET@host:port, or a DICOMweb URL.\n"
    "Common options: --index DB, --store DIR (where received objects are filed), --nodes FILE,\n"
    "  --aet A (our AE title), --port P (our receiver's port), --timeout S (seconds, default 10 to\n"
    "  connect, 6x that for each message).\n";

struct Context {
  PacsNodeList list;
  std::string listPath;
  LocalAe local;
  NetworkTimeouts timeouts;
  std::string indexPath;
  std::string store;
};

const std::set<std::string> kCommonOptions = {"index", "store", "nodes", "aet", "port", "timeout"};

std::set<std::string> withCommon(std::set<std::string> options) {
  options.insert(kCommonOptions.begin(), kCommonOptions.end());
  return options;
}

Context context(const Arguments& args) {
  Context c;
  c.listPath = args.option("nodes", defaultPacsNodeListPath());
  c.list = loadPacsNodeList(c.listPath);
  c.local = c.list.local;
  if (args.has("aet")) {
    c.local.aeTitle = args.option("aet");
    if (const std::string p = aeTitleProblem(c.local.aeTitle); !p.empty()) throw UsageError("option --aet: " + p);
  }
  c.local.port = int(args.integer("port", c.local.port, 1, 65535));
  const int t = int(args.integer("timeout", 10, 1, 3600));
  c.timeouts.connectSeconds = t;
  c.timeouts.dimseSeconds = 6 * t;
  c.indexPath = args.option("index", StudyIndex::defaultPath());
  c.store = args.option("store", defaultReceiveStore(c.indexPath));
  return c;
}

PacsNode nodeArgument(const Arguments& args, const Context& c, std::size_t at = 1) {
  if (args.positional().size() <= at) throw UsageError(std::string("a NODE is needed\n") + kPacsUsage);
  try {
    return resolvePacsNode(args.positional()[at], c.list);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

const char* levelName(QueryLevel l) {
  return l == QueryLevel::Patient ? "patient" : l == QueryLevel::Study ? "study" : "series";
}

bool validDateRange(const std::string& d) {
  auto date = [](const std::string& s) {
    return s.size() == 8 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const std::size_t dash = d.find('-');
  if (dash == std::string::npos) return date(d);
  const std::string a = d.substr(0, dash), b = d.substr(dash + 1);
  return (a.empty() || date(a)) && (b.empty() || date(b)) && !(a.empty() && b.empty());
}

int runEcho(const Arguments& args) {
  const Context c = context(args);
  const PacsNode node = nodeArgument(args, c);
  const double ms = echoNode(node, c.local, c.timeouts);
  std::printf("%s: echo ok in %.0f ms (we are %s)\n", node.label().c_str(), ms, c.local.aeTitle.c_str());
  return kExitOk;
}

int runFind(const Arguments& args) {
  const Context c = context(args);
  const PacsNode node = nodeArgument(args, c);
  FindQuery q;
  const std::string level = args.option("level", "study");
  if (level == "patient") q.level = QueryLevel::Patient;
  else if (level == "study") q.level = QueryLevel::Study;
  else if (level == "series") q.level = QueryLevel::Series;
  else throw UsageError("option --level: '" + level + "' is not patient, study or series");
  q.patientName = args.option("patient-name");
  q.patientId = args.option("patient-id");
  q.studyDate = args.option("study-date");
  if (!q.studyDate.empty() && !validDateRange(q.studyDate)) {
    throw UsageError("option --study-date: '" + q.studyDate + "' is not YYYYMMDD or YYYYMMDD-YYYYMMDD");
  }
  q.modality = args.option("modality");
  q.accession = args.option("accession");
  q.studyUid = args.option("study-uid");
  const std::vector<FindMatch> matches = findOnNode(node, c.local, q, c.timeouts);
  const IndexedUids local = indexedUids(c.indexPath);
  auto isLocal = [&](const FindMatch& m) {
    if (m.level == QueryLevel::Series) return local.series.count(m.seriesUid) > 0;
    if (m.level == QueryLevel::Study) return local.studies.count(m.studyUid) > 0;
    return false;
  };
  if (args.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const FindMatch& m : matches) {
      nlohmann::json j = {{"level", levelName(m.level)}, {"patient_name", m.patientName}, {"patient_id", m.patientId}};
      if (m.level == QueryLevel::Patient) {
        j["patient_birth_date"] = m.patientBirthDate;
        j["patient_sex"] = m.patientSex;
        if (m.relatedStudies >= 0) j["studies"] = m.relatedStudies;
      } else {
        j["study_instance_uid"] = m.studyUid;
        j["study_date"] = m.studyDate;
        j["study_description"] = m.studyDescription;
        j["accession_number"] = m.accession;
        j["local"] = isLocal(m);
      }
      if (m.level == QueryLevel::Study) {
        j["study_time"] = m.studyTime;
        j["modalities"] = m.modalitiesInStudy;
        if (m.relatedSeries >= 0) j["series"] = m.relatedSeries;
        if (m.relatedInstances >= 0) j["instances"] = m.relatedInstances;
      }
      if (m.level == QueryLevel::Series) {
        j["series_instance_uid"] = m.seriesUid;
        j["series_number"] = m.seriesNumber;
        j["modality"] = m.modality;
        j["series_description"] = m.seriesDescription;
        if (m.relatedInstances >= 0) j["instances"] = m.relatedInstances;
      }
      out.push_back(j);
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::printf("%s: %zu %s%s\n", node.label().c_str(), matches.size(), levelName(q.level),
              matches.size() == 1 ? "" : (q.level == QueryLevel::Series ? "" : q.level == QueryLevel::Study ? " matches" : "s"));
  for (const FindMatch& m : matches) {
    const char* mark = isLocal(m) ? "[local] " : "";
    if (m.level == QueryLevel::Patient) {
      std::printf("  %-24s %-12s %s %s  %d studies\n", m.patientName.c_str(), m.patientId.c_str(),
                  m.patientBirthDate.c_str(), m.patientSex.c_str(), m.relatedStudies);
    } else if (m.level == QueryLevel::Study) {
      std::printf("  %s%s %-24s %-12s %-8s %s  (%d series, %d images)\n    %s\n", mark, m.studyDate.c_str(),
                  m.patientName.c_str(), m.patientId.c_str(), m.modalitiesInStudy.c_str(), m.studyDescription.c_str(),
                  m.relatedSeries, m.relatedInstances, m.studyUid.c_str());
    } else {
      std::printf("  %s#%-4s %-3s %5d images  %s\n    %s\n", mark, m.seriesNumber.c_str(), m.modality.c_str(),
                  m.relatedInstances, m.seriesDescription.c_str(), m.seriesUid.c_str());
    }
  }
  return kExitOk;
}

/// A retrieve the archive finished with failed sub-operations (objects it could not send, or that
/// were refused here) is not a success, even when other objects arrived.
int reportFailedSubOperations(const RetrieveResult& result, const PacsNode& node) {
  if (result.failed <= 0 && result.warnings <= 0) return kExitOk;
  std::fprintf(stderr, "lightbox pacs get: %s: %s reported %d failed and %d warning sub-operations\n",
               result.failed > 0 ? "error" : "warning", node.label().c_str(), result.failed, result.warnings);
  return result.failed > 0 ? kExitFailure : kExitOk;
}

int runGet(const Arguments& args) {
  const Context c = context(args);
  const PacsNode node = nodeArgument(args, c);
  RetrieveRequest r;
  r.studyUid = args.option("study-uid");
  if (r.studyUid.empty()) throw UsageError("--study-uid is needed");
  r.seriesUid = args.option("series-uid");
  const std::string method = args.option("method", "get");
  if (method == "get") r.method = RetrieveMethod::Get;
  else if (method == "move") r.method = RetrieveMethod::Move;
  else throw UsageError("option --method: '" + method + "' is not get or move");
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t n = 0;
  const bool quiet = args.flag("quiet");
  RetrieveResult result = retrieveFromNode(node, c.local, r, c.store, c.timeouts, [&](const ReceivedObject&) {
    if (!quiet && (++n % 20 == 0)) std::fprintf(stderr, "received %zu objects\n", n);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Into the local index: each study folder that received something.
  std::set<std::string> studies;
  std::map<std::string, std::size_t> perSeries;
  std::size_t replaced = 0;
  for (const ReceivedObject& o : result.objects) {
    studies.insert(o.studyUid);
    ++perSeries[o.seriesUid];
    replaced += o.replaced ? 1 : 0;
  }
  StudyIndex index(c.indexPath);
  for (const std::string& st : studies) {
    index.import((std::filesystem::path(c.store) / st).string(), 0, {});
  }
  if (!result.note.empty()) std::fprintf(stderr, "lightbox pacs get: %s\n", result.note.c_str());
  if (args.flag("json")) {
    nlohmann::json objects = nlohmann::json::array();
    for (const ReceivedObject& o : result.objects) {
      objects.push_back({{"sop_instance_uid", o.sopInstanceUid}, {"sop_class_uid", o.sopClassUid},
                         {"series_instance_uid", o.seriesUid}, {"study_instance_uid", o.studyUid},
                         {"transfer_syntax_uid", o.transferSyntaxUid}, {"path", o.path}, {"replaced", o.replaced}});
    }
    const nlohmann::json out = {{"node", node.label()}, {"method", result.methodUsed == RetrieveMethod::Get ? "get" : "move"},
                                {"note", result.note}, {"received", result.objects.size()}, {"replaced", replaced},
                                {"completed", result.completed}, {"failed", result.failed},
                                {"warnings", result.warnings}, {"seconds", seconds}, {"store", c.store},
                                {"objects", objects}};
    std::cout << out.dump(2) << "\n";
    return reportFailedSubOperations(result, node);
  }
  std::printf("%s: %s received %zu objects (%zu were here already, replaced) in %.2f s into %s\n",
              node.label().c_str(), result.methodUsed == RetrieveMethod::Get ? "C-GET" : "C-MOVE",
              result.objects.size(), replaced, seconds, c.store.c_str());
  for (const IndexedStudy& st : index.studies()) {
    if (!studies.count(st.studyInstanceUid)) continue;
    std::printf("  %s  %s %s  %s\n", st.studyDate.c_str(), st.patientName.c_str(), st.patientId.c_str(),
                st.description.c_str());
    for (const IndexedSeries& se : st.series) {
      if (!perSeries.count(se.seriesInstanceUid)) continue;
      std::printf("    #%-4d %-3s %5zu objects  %s\n", se.seriesNumber, se.modality.c_str(),
                  perSeries[se.seriesInstanceUid], se.description.c_str());
    }
  }
  if (result.objects.empty()) std::printf("  nothing matched\n");
  return reportFailedSubOperations(result, node);
}

int runSend(const Arguments& args) {
  const Context c = context(args);
  const PacsNode node = nodeArgument(args, c);
  if (args.positional().size() < 3) throw UsageError(std::string("nothing to send\n") + kPacsUsage);
  const std::vector<std::string> paths(args.positional().begin() + 2, args.positional().end());
  const std::vector<SentObject> sent = sendToNode(node, c.local, paths, c.timeouts);
  std::size_t stored = 0, skipped = 0;
  for (const SentObject& s : sent) {
    stored += s.stored ? 1 : 0;
    skipped += s.skipped ? 1 : 0;
    if (s.status != "success") std::printf("  %s: %s\n", s.path.c_str(), s.status.c_str());
  }
  const std::size_t objects = sent.size() - skipped;
  std::printf("%s: %zu of %zu objects stored", node.label().c_str(), stored, objects);
  if (skipped) std::printf(" (%zu files that are not DICOM skipped)", skipped);
  std::printf("\n");
  if (stored != objects || objects == 0) {
    std::fprintf(stderr, "lightbox pacs send: error: %s\n",
                 objects == 0 ? "no DICOM file to send" : (std::to_string(objects - stored) + " objects were not stored on " + node.label()).c_str());
    return kExitFailure;
  }
  return kExitOk;
}

std::atomic<bool> stopListening{false};

extern "C" void onStopSignal(int) { stopListening = true; }

int runListen(const Arguments& args) {
  const Context c = context(args);
  StudyIndex index(c.indexPath);
  std::mutex mutex;
  std::set<std::string> pending;  // study folders to index
  StorageReceiver receiver(c.local, c.store, [&](const ReceivedObject& o) {
    std::printf("received %s from %s (%s)%s\n", o.sopInstanceUid.c_str(), o.sender.c_str(), o.path.c_str(),
                o.replaced ? " replacing the copy already here" : "");
    std::fflush(stdout);
    std::lock_guard<std::mutex> lock(mutex);
    pending.insert(o.studyUid);
  }, c.timeouts, [](const std::string& sop, const std::string& sender, const std::string& reason) {
    std::fprintf(stderr, "refused %s from %s: %s\n", sop.c_str(), sender.c_str(), reason.c_str());
  });
  receiver.start();
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
  std::printf("listening as %s on port %d, filing into %s (Ctrl+C stops)\n", c.local.aeTitle.c_str(), c.local.port,
              c.store.c_str());
  std::fflush(stdout);
  auto indexPending = [&] {
    std::set<std::string> now;
    {
      std::lock_guard<std::mutex> lock(mutex);
      now.swap(pending);
    }
    for (const std::string& st : now) index.import((std::filesystem::path(c.store) / st).string(), 0, {});
  };
  while (!stopListening) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (!receiver.busy()) indexPending();
  }
  receiver.stop();
  indexPending();
  std::printf("stopped after %zu objects\n", receiver.received());
  return kExitOk;
}

int runNodes(const Arguments& args) {
  Context c = context(args);
  const std::vector<std::string>& p = args.positional();
  if (p.size() >= 2) {
    const std::string& verb = p[1];
    if (verb == "add" && p.size() == 4) {
      PacsNode node;
      try {
        node = resolvePacsNode(p[3], PacsNodeList{});
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
      node.name = p[2];
      for (PacsNode& n : c.list.nodes) {
        if (n.name == node.name) n = node;
      }
      bool present = false;
      for (const PacsNode& n : c.list.nodes) present = present || n.name == node.name;
      if (!present) c.list.nodes.push_back(node);
    } else if (verb == "remove" && p.size() == 3) {
      const std::size_t before = c.list.nodes.size();
      c.list.nodes.erase(std::remove_if(c.list.nodes.begin(), c.list.nodes.end(),
                                        [&](const PacsNode& n) { return n.name == p[2]; }),
                         c.list.nodes.end());
      if (c.list.nodes.size() == before) throw UsageError("no node named '" + p[2] + "'");
    } else if (verb == "local" && p.size() == 4) {
      if (const std::string problem = aeTitleProblem(p[2]); !problem.empty()) throw UsageError(problem);
      c.list.local.aeTitle = p[2];
      const std::string& port = p[3];
      if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(port) < 1 || std::stoi(port) > 65535) {
        throw UsageError("port '" + port + "' is not from 1 to 65535");
      }
      c.list.local.port = std::stoi(port);
    } else {
      throw UsageError(kPacsUsage);
    }
    savePacsNodeList(c.listPath, c.list);
  }
  std::printf("%s\n  we are %s, receiving on port %d\n", c.listPath.c_str(), c.list.local.aeTitle.c_str(),
              c.list.local.port);
  for (const PacsNode& n : c.list.nodes) std::printf("  %s\n", n.label().c_str());
  return kExitOk;
}

} // namespace

int runPacs(const std::vector<std::string>& argv) {
  if (argv.empty()) throw UsageError(kPacsUsage);
  if (argv[0] == "--help" || argv[0] == "-h") {
    std::fputs(kPacsUsage, stdout);
    return kExitOk;
  }
  const std::string sub = argv[0];
  if (sub == "echo") return runEcho(Arguments(argv, {}, withCommon({})));
  if (sub == "find") {
    return runFind(Arguments(argv, {"json"}, withCommon({"level", "patient-name", "patient-id", "study-date",
                                                          "modality", "accession", "study-uid"})));
  }
  if (sub == "get") return runGet(Arguments(argv, {"json", "quiet"}, withCommon({"study-uid", "series-uid", "method"})));
  if (sub == "send") return runSend(Arguments(argv, {}, withCommon({})));
  if (sub == "listen") return runListen(Arguments(argv, {}, withCommon({})));
  if (sub == "nodes") return runNodes(Arguments(argv, {}, withCommon({})));
  throw UsageError("unknown pacs command '" + sub + "'\n" + kPacsUsage);
}

} // namespace lightbox::cli
