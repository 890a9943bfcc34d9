// SPDX-License-Identifier: Apache-2.0
// The peer: ITK's ImageSeriesReader with GDCMImageIO, as most ITK-based viewers load a series.
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: itk_series_reader_bench FOLDER\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  using Image = itk::Image<short, 3>;
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(argv[1]);
  const auto& uids = names->GetSeriesUIDs();
  if (uids.empty()) {
    std::fprintf(stderr, "no series\n");
    return 1;
  }
  auto reader = itk::ImageSeriesReader<Image>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  const auto t1 = std::chrono::steady_clock::now();
  const auto size = reader->GetOutput()->GetLargestPossibleRegion().GetSize();
  std::printf("itk %lux%lux%lu %.4f s\n", size[0], size[1], size[2], std::chrono::duration<double>(t1 - t0).count());
  return 0;
}
