// SPDX-License-Identifier: Apache-2.0
#include "core/segmentation/SegmentationMetrics.h"

#include "core/util/XmlElements.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

namespace lightbox {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// 1D squared distance transform (Felzenszwalb & Huttenlocher) of f sampled every `step` mm.
void edt1d(const std::vector<double>& f, std::vector<double>& d, double step) {
  const std::size_t n = f.size();
  std::vector<std::size_t> v(n);
  std::vector<double> z(n + 1);
  std::size_t k = 0;
  std::size_t first = n;
  for (std::size_t q = 0; q < n; ++q)
    if (f[q] < kInf) { first = q; break; }
  if (first == n) {
    std::fill(d.begin(), d.end(), kInf);
    return;
  }
  v[0] = first;
  z[0] = -kInf;
  z[1] = kInf;
  for (std::size_t q = first + 1; q < n; ++q) {
    if (f[q] == kInf) continue;
    while (true) {
      const double pq = double(q) * step, pv = double(v[k]) * step;
      const double s = ((f[q] + pq * pq) - (f[v[k]] + pv * pv)) / (2 * (pq - pv));
      if (s <= z[k]) {
        if (k == 0) { v[0] = q; z[1] = kInf; break; }
        --k;
        continue;
      }
      ++k;
      v[k] = q;
      z[k] = s;
      z[k + 1] = kInf;
      break;
    }
  }
  k = 0;
  for (std::size_t q = 0; q < n; ++q) {
    const double pq = double(q) * step;
    while (z[k + 1] < pq) ++k;
    const double dv = pq - double(v[k]) * step;
    d[q] = dv * dv + f[v[k]];
  }
}

} // namespace

std::vector<double> squaredDistanceTo(const VolumeGeometry& g, const std::vector<std::uint8_t>& surface) {
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  std::vector<double> d(surface.size());
  for (std::size_t n = 0; n < d.size(); ++n) d[n] = surface[n] ? 0.0 : kInf;
  const std::size_t dims[3] = {nx, ny, nz};
  const std::size_t strides[3] = {1, nx, nx * ny};
  for (int axis = 0; axis < 3; ++axis) {
    const std::size_t len = dims[axis];
    std::vector<double> f(len), out(len);
    const std::size_t total = d.size() / len;
    for (std::size_t line = 0; line < total; ++line) {
      // The start of this line: enumerate the other two indices.
      std::size_t base;
      if (axis == 0) base = line * nx;
      else if (axis == 1) base = (line % nx) + (line / nx) * nx * ny;
      else base = line;
      for (std::size_t q = 0; q < len; ++q) f[q] = d[base + q * strides[axis]];
      edt1d(f, out, g.spacing[axis]);
      for (std::size_t q = 0; q < len; ++q) d[base + q * strides[axis]] = out[q];
    }
  }
  return d;
}

namespace {

std::vector<std::uint8_t> surfaceOf(const VolumeGeometry& g, const std::vector<std::uint8_t>& m) {
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  std::vector<std::uint8_t> s(m.size(), 0);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) {
        const std::size_t n = i + nx * (j + ny * k);
        if (!m[n]) continue;
        s[n] = i == 0 || j == 0 || k == 0 || i + 1 == nx || j + 1 == ny || k + 1 == nz || !m[n - 1] || !m[n + 1] ||
               !m[n - nx] || !m[n + nx] || !m[n - nx * ny] || !m[n + nx * ny];
      }
  return s;
}

bool insidePolygon(const std::vector<std::array<double, 2>>& poly, double x, double y) {
  bool in = false;
  for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const auto& a = poly[i];
    const auto& b = poly[j];
    if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) in = !in;
  }
  return in;
}

} // namespace

double diceCoefficient(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("the masks are not on one grid");
  std::size_t na = 0, nb = 0, both = 0;
  for (std::size_t n = 0; n < a.size(); ++n) {
    na += a[n] != 0;
    nb += b[n] != 0;
    both += a[n] != 0 && b[n] != 0;
  }
  return na + nb == 0 ? 1.0 : 2.0 * double(both) / double(na + nb);
}

double hausdorff95Mm(const VolumeGeometry& g, const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  if (a.size() != g.voxelCount() || b.size() != g.voxelCount()) throw std::invalid_argument("the masks are not on the grid");
  const std::vector<std::uint8_t> sa = surfaceOf(g, a), sb = surfaceOf(g, b);
  const bool ea = std::find(sa.begin(), sa.end(), 1) == sa.end(), eb = std::find(sb.begin(), sb.end(), 1) == sb.end();
  if (ea && eb) return 0.0;
  if (ea || eb) return kInf;
  const std::vector<double> toA = squaredDistanceTo(g, sa), toB = squaredDistanceTo(g, sb);
  std::vector<double> d;
  for (std::size_t n = 0; n < sa.size(); ++n) {
    if (sa[n]) d.push_back(std::sqrt(toB[n]));
    if (sb[n]) d.push_back(std::sqrt(toA[n]));
  }
  std::sort(d.begin(), d.end());
  return d[std::min(d.size() - 1, std::size_t(std::ceil(0.95 * double(d.size()))) - 1)];
}

std::vector<ReaderOutline> readLidcOutlines(const std::string& xmlPath, const VolumeGeometry& g) {
  std::ifstream in(xmlPath);
  if (!in) throw std::runtime_error(xmlPath + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string xml = ss.str();
  if (xml.find("<readingSession") == std::string::npos) throw std::runtime_error(xmlPath + ": not an LIDC reader file");
  // Slice positions along the stack normal, to find the slice of each outline's z.
  std::vector<ReaderOutline> out;
  int reader = 0;
  for (const std::string& session : xmlElements(xml, "readingSession")) {
    for (const std::string& nodule : xmlElements(session, "unblindedReadNodule")) {
      ReaderOutline r;
      r.reader = reader;
      r.noduleId = xmlFirst(nodule, "noduleID");
      r.mask.assign(g.voxelCount(), 0);
      std::map<long, std::vector<std::vector<std::array<double, 2>>>> include, exclude;
      for (const std::string& roi : xmlElements(nodule, "roi")) {
        const double z = std::stod(xmlFirst(roi, "imageZposition"));
        std::vector<std::array<double, 2>> poly;
        for (const std::string& edge : xmlElements(roi, "edgeMap")) {
          poly.push_back({std::stod(xmlFirst(edge, "xCoord")), std::stod(xmlFirst(edge, "yCoord"))});
        }
        // The slice of this outline: the grid slice whose centre has this z (within half a slice).
        const Vec3 probe = g.lpsToIjk(g.ijkToLps({0, 0, 0}) + Vec3{0, 0, z - g.ijkToLps({0, 0, 0})[2]});
        const long k = std::lround(probe[2]);
        if (k < 0 || k >= long(g.size[2]) || std::abs(probe[2] - double(k)) > 0.25 || poly.size() < 3) continue;
        (xmlFirst(roi, "inclusion") == "FALSE" ? exclude : include)[k].push_back(poly);
      }
      std::size_t count = 0;
      Vec3 sum{0, 0, 0};
      for (const auto& [k, polys] : include) {
        for (std::size_t j = 0; j < g.size[1]; ++j)
          for (std::size_t i = 0; i < g.size[0]; ++i) {
            const double x = double(i), y = double(j);
            bool inside = false;
            for (const auto& p : polys) inside = inside || insidePolygon(p, x, y);
            if (!inside) continue;
            auto ex = exclude.find(k);
            if (ex != exclude.end())
              for (const auto& p : ex->second) inside = inside && !insidePolygon(p, x, y);
            if (!inside) continue;
            r.mask[i + g.size[0] * (j + g.size[1] * std::size_t(k))] = 1;
            sum = sum + g.ijkToLps({x, y, double(k)});
            ++count;
          }
      }
      if (count == 0) continue;
      r.centroidLps = sum * (1.0 / double(count));
      out.push_back(std::move(r));
    }
    ++reader;
  }
  return out;
}

ReaderConsensus readerConsensus(const std::vector<ReaderOutline>& outlines) {
  ReaderConsensus c;
  const ReaderOutline* largest = nullptr;
  std::size_t most = 0;
  for (const ReaderOutline& o : outlines) {
    const std::size_t n = std::size_t(std::count(o.mask.begin(), o.mask.end(), 1));
    if (n > most) {
      most = n;
      largest = &o;
    }
  }
  if (!largest) return c;
  for (const ReaderOutline& o : outlines) {
    if (diceCoefficient(o.mask, largest->mask) > 0.3) c.readers.push_back(&o);
  }
  c.mask.assign(largest->mask.size(), 0);
  for (std::size_t n = 0; n < c.mask.size(); ++n) {
    std::size_t votes = 0;
    for (const ReaderOutline* r : c.readers) votes += r->mask[n] != 0;
    c.mask[n] = 2 * votes >= c.readers.size();
  }
  return c;
}

} // namespace lightbox
