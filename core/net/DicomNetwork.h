// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/net/PacsNode.h"

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lightbox {

/// DICOM networking over DIMSE with DCMTK's dcmnet (issue 27): C-ECHO, C-FIND, C-GET, C-MOVE,
/// C-STORE as a user and a storage receiver. DCMTK's headers stay in DicomNetwork.cpp.

/// A network operation that failed; the message names the node and the reason (the node is
/// down, refused the association, timed out, answered with a failure status ...).
struct PacsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NetworkTimeouts {
  int connectSeconds = 10;  ///< to open the TCP connection
  int dimseSeconds = 60;    ///< for each message (and the association's negotiation) once connected
};

/// C-ECHO; returns the round trip in milliseconds, throws PacsError.
double echoNode(const PacsNode& node, const LocalAe& local, const NetworkTimeouts& timeouts = {});

enum class QueryLevel { Patient, Study, Series };

/// C-FIND keys; empty means "any". Names may hold the DICOM wildcards * and ?; a date is
/// YYYYMMDD or a range YYYYMMDD-YYYYMMDD (either end open).
struct FindQuery {
  QueryLevel level = QueryLevel::Study;
  std::string patientName, patientId, studyDate, modality, accession, studyUid;
};

/// One answer of a C-FIND, text in UTF-8. Fields a level does not carry stay empty.
struct FindMatch {
  QueryLevel level = QueryLevel::Study;
  std::string patientName, patientId, patientBirthDate, patientSex;
  std::string studyUid, studyDate, studyTime, studyDescription, accession, modalitiesInStudy;
  std::string seriesUid, seriesNumber, modality, seriesDescription;
  int relatedStudies = -1, relatedSeries = -1, relatedInstances = -1;  ///< -1: not given
};

/// C-FIND at the query's level (Patient Root for patients, Study Root else). A series-level query
/// without a study UID first finds the studies (the other keys apply to them), then their series.
std::vector<FindMatch> findOnNode(const PacsNode& node, const LocalAe& local, const FindQuery& query,
                                  const NetworkTimeouts& timeouts = {});

/// An object received (C-GET, C-MOVE, or the storage receiver), filed as
/// `<store>/<Study Instance UID>/<SOP Instance UID>.dcm`, byte for byte as it came over the
/// network, written and flushed to the disk before its C-STORE is acknowledged.
struct ReceivedObject {
  std::string path, sopClassUid, sopInstanceUid, studyUid, seriesUid, transferSyntaxUid;
  std::string sender;     ///< the calling AE title
  bool replaced = false;  ///< the same object was already in the store (a retry): replaced, not duplicated
};
using ReceivedCallback = std::function<void(const ReceivedObject&)>;
/// An object refused on arrival (answered with a failure status, nothing of it kept): its
/// announced SOP Instance UID, the sender's AE title and the reason.
using RefusedCallback = std::function<void(const std::string& sopInstanceUid, const std::string& sender,
                                           const std::string& reason)>;

enum class RetrieveMethod { Get, Move };

struct RetrieveRequest {
  std::string studyUid;
  std::string seriesUid;  ///< empty: the whole study
  RetrieveMethod method = RetrieveMethod::Get;
  /// Set from another thread to stop a C-GET after the object in progress (the association is
  /// aborted; what arrived stays in the store). Not read by C-MOVE.
  const std::atomic<bool>* cancel = nullptr;
};

struct RetrieveResult {
  std::vector<ReceivedObject> objects;
  RetrieveMethod methodUsed = RetrieveMethod::Get;
  std::string note;  ///< e.g. why C-MOVE was used when C-GET was asked for
  int completed = 0, failed = 0, warnings = 0;  ///< the archive's final counts (-1 when not given)
};

/// Retrieves a study or series into `store`. C-GET receives on the same association; C-MOVE asks
/// the archive to send to `local.aeTitle` (which the archive must know, with this host and
/// `local.port`) while a storage receiver listens on `local.port`. An archive that does not accept
/// C-GET is asked by C-MOVE (said in `note`). Throws PacsError naming the node and the reason; what
/// was received until then stays in the store (a retry completes it).
RetrieveResult retrieveFromNode(const PacsNode& node, const LocalAe& local, const RetrieveRequest& request,
                                const std::string& store, const NetworkTimeouts& timeouts = {},
                                const ReceivedCallback& onReceived = {});

struct SentObject {
  std::string path, sopInstanceUid;
  bool stored = false;
  bool skipped = false;  ///< not a DICOM file (a licence, a README in the folder): never sent
  std::string status;    ///< "success", "warning 0xB000", "refused 0xA700 (...)", "not sent: ...", "skipped: ..."
};

/// C-STORE of DICOM files (folders are walked) to the node. Each file goes in its own transfer
/// syntax, its data set streamed from the file byte for byte; only when the node refuses an
/// uncompressed file's own syntax is it sent in the other little-endian one (said in its status).
/// Files that are not DICOM with a meta header are skipped. Throws PacsError naming the node and
/// the reason when no association can be made or one breaks.
std::vector<SentObject> sendToNode(const PacsNode& node, const LocalAe& local, const std::vector<std::string>& paths,
                                   const NetworkTimeouts& timeouts = {});

/// A storage receiver (C-STORE SCP, and C-ECHO) on `local.port` answering as `local.aeTitle`, filing
/// every object into `store` (see ReceivedObject) on its own thread until stop().
class StorageReceiver {
public:
  StorageReceiver(const LocalAe& local, std::string store, ReceivedCallback onReceived,
                  const NetworkTimeouts& timeouts = {}, RefusedCallback onRefused = {});
  ~StorageReceiver();
  StorageReceiver(const StorageReceiver&) = delete;
  StorageReceiver& operator=(const StorageReceiver&) = delete;

  /// Opens the port (throws PacsError when it cannot: in use, no permission) and starts serving.
  void start();
  /// Stops after the association in progress (if any); returns when the thread has ended.
  void stop();
  /// Whether an association is open now.
  bool busy() const;
  /// How many objects were filed so far.
  std::size_t received() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The folder received objects are filed under when no other is given: `received` beside the
/// study index database.
std::string defaultReceiveStore(const std::string& indexPath);

} // namespace lightbox
