// Writes fuzz_folder's seed corpus (fuzz/corpus/fuzz_folder/): valid image + mask pairs in the input layout
// fuzz_folder.cpp reads. Built and run once by hand:
//   g++ -std=c++17 fuzz/folder_seeds.cpp -I/usr/include/opencv4 -lopencv_imgcodecs -lopencv_core -o /tmp/s
//   /tmp/s fuzz/corpus/fuzz_folder
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace {
std::vector<uint8_t> encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uint8_t> buf;
  cv::imencode(ext, m, buf);
  return buf;
}

// mode: bits 0-1 image type, 2-3 mask type (png, tif, jpg, bmp), 4 retina, 5 subject pattern, 6 size 16.
void seed(const std::string& dir, const std::string& name, uint8_t mode, const std::vector<uint8_t>& img,
          const std::vector<uint8_t>& mask) {
  std::ofstream f(dir + "/" + name, std::ios::binary);
  const uint8_t head[3] = {mode, static_cast<uint8_t>(img.size() >> 8), static_cast<uint8_t>(img.size() & 255)};
  f.write(reinterpret_cast<const char*>(head), 3);
  f.write(reinterpret_cast<const char*>(img.data()), static_cast<std::streamsize>(img.size()));
  f.write(reinterpret_cast<const char*>(mask.data()), static_cast<std::streamsize>(mask.size()));
}
}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  cv::Mat grey(12, 10, CV_8U), grey16(12, 10, CV_16U), rgb(12, 10, CV_8UC3), labels(12, 10, CV_8U),
      vessels(12, 10, CV_8U), f32(12, 10, CV_32F);
  for (int y = 0; y < 12; ++y)
    for (int x = 0; x < 10; ++x) {
      grey.at<uint8_t>(y, x) = static_cast<uint8_t>(20 * x + y);
      grey16.at<uint16_t>(y, x) = static_cast<uint16_t>(5000 * x + 300 * y);
      rgb.at<cv::Vec3b>(y, x) = {static_cast<uint8_t>(10 * y), static_cast<uint8_t>(20 * x), 128};
      f32.at<float>(y, x) = 0.1f * static_cast<float>(x);
      labels.at<uint8_t>(y, x) = static_cast<uint8_t>((x / 3) % 4);  // cardiac: 0..3
      vessels.at<uint8_t>(y, x) = (x == y) ? 255 : 0;                // DRIVE-style 0/255
    }
  seed(dir, "cardiac_png_png", 0x00, encode(grey, ".png"), encode(labels, ".png"));
  seed(dir, "cardiac_tif16_png_subject", 0x21, encode(grey16, ".tif"), encode(labels, ".png"));
  seed(dir, "cardiac_tif32f_tif", 0x45, encode(f32, ".tif"), encode(labels, ".tif"));
  seed(dir, "cardiac_jpg_bmp", 0x0e, encode(grey, ".jpg"), encode(labels, ".bmp"));
  seed(dir, "retina_png_png", 0x10, encode(rgb, ".png"), encode(vessels, ".png"));
  seed(dir, "retina_tif_png", 0x51, encode(rgb, ".tif"), encode(vessels, ".png"));
  seed(dir, "retina_jpg_tif", 0x16, encode(rgb, ".jpg"), encode(vessels, ".tif"));
  return 0;
}
