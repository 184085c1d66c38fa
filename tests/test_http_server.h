// Test-only: a minimal HTTP/1.0 file server on 127.0.0.1 (an ephemeral port), for download tests that must
// never touch the internet. GET /NAME serves ROOT/NAME, anything else is a 404.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/atomic_file.h"

namespace ganbench::test {

class HttpServer {
 public:
  explicit HttpServer(std::filesystem::path root) : root_(std::move(root)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("test HTTP server: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + name;
  }

 private:
  void serve() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      ssize_t n;
      while (req.find("\r\n\r\n") == std::string::npos && (n = ::recv(c, buf, sizeof buf, 0)) > 0)
        req.append(buf, n);
      const size_t a = req.find(' ') + 2, b = req.find(' ', a);
      const std::string name = a < b && b != std::string::npos ? req.substr(a, b - a) : "";
      std::string body, head;
      std::error_code ec;
      if (!name.empty() && name.find('/') == std::string::npos &&
          std::filesystem::is_regular_file(root_ / name, ec)) {
        body = read_file(root_ / name);
        head = "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n";
      } else {
        body = "not found\n";
        head = "HTTP/1.0 404 Not Found\r\n";
      }
      const std::string msg = head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      for (size_t off = 0; off < msg.size();) {
        const ssize_t w = ::send(c, msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += static_cast<size_t>(w);
      }
      ::close(c);
    }
  }

  std::filesystem::path root_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ganbench::test
