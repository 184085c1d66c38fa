#include "common/pth.h"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "common/atomic_file.h"
#include "common/zip.h"

namespace ganbench {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 40;  // per tensor; far above any real checkpoint

[[noreturn]] void bad(const std::string& what, const std::string& why) {
  throw std::runtime_error(fmt::format("{}: not a readable PyTorch checkpoint: {}", what, why));
}

struct Value;
using Ptr = Value*;  // owned by the Unpickler's arena: no recursive destruction, and cycles cannot leak

// One pickle value. Only what torch.save writes for a state dict is modelled.
struct Value {
  enum Kind { None, Bool, Int, BigInt, Float, Str, Tuple, List, Dict, Global, Storage, Tensor } kind = None;
  int64_t i = 0;           // Int, Bool; Storage: element count; Tensor: storage offset
  double f = 0;            // Float
  std::string s;           // Str; BigInt: little-endian bytes; Global: "module.name"; Storage: key
  std::string dtype;       // Storage, Tensor: safetensors dtype name
  std::vector<Ptr> items;  // Tuple, List; Tensor: {storage}
  std::vector<std::pair<Ptr, Ptr>> dict;  // Dict, in insertion order
  std::vector<int64_t> sizes, strides;    // Tensor
};

const char* storage_dtype(const std::string& global) {
  static const std::pair<const char*, const char*> table[] = {
      {"torch.FloatStorage", "F32"},     {"torch.DoubleStorage", "F64"}, {"torch.HalfStorage", "F16"},
      {"torch.BFloat16Storage", "BF16"}, {"torch.LongStorage", "I64"},   {"torch.IntStorage", "I32"},
      {"torch.ShortStorage", "I16"},     {"torch.CharStorage", "I8"},    {"torch.ByteStorage", "U8"},
      {"torch.BoolStorage", "BOOL"}};
  for (const auto& [name, dtype] : table)
    if (global == name) return dtype;
  return nullptr;
}

// The pickle machine (protocols 2 to 4 as far as torch.save uses them).
class Unpickler {
 public:
  Unpickler(std::string_view bytes, std::string what) : b_(bytes), what_(std::move(what)) {}

  size_t pos() const { return pos_; }
  Ptr make(Value::Kind k) {
    arena_.push_back(std::make_unique<Value>());
    arena_.back()->kind = k;
    return arena_.back().get();
  }
  // Every storage the loaded objects referenced: key -> dtype.
  const std::map<std::string, std::string>& storages() const { return storages_; }

  Ptr load() {
    stack_.clear();
    marks_.clear();
    memo_.clear();
    for (;;) {
      const unsigned char op = byte();
      switch (op) {
        case 0x80:
          byte();
          break;  // PROTO
        case 0x95:
          take(8);
          break;  // FRAME
        case '.':
          return pop();  // STOP
        case '(':
          marks_.push_back(stack_.size());
          break;  // MARK
        case 'N':
          push(make(Value::None));
          break;
        case 0x88:
        case 0x89: {  // NEWTRUE, NEWFALSE
          auto v = make(Value::Bool);
          v->i = op == 0x88;
          push(v);
          break;
        }
        case 'K':
          push_int(byte());
          break;  // BININT1
        case 'M':
          push_int(le<uint16_t>());
          break;  // BININT2
        case 'J':
          push_int(le<int32_t>());
          break;  // BININT
        case 0x8a:
          long_int(byte());
          break;  // LONG1
        case 0x8b:
          long_int(checked_len(le<int32_t>()));
          break;     // LONG4
        case 'G': {  // BINFLOAT (big-endian)
          uint64_t u = 0;
          for (char c : take(8)) u = (u << 8) | static_cast<unsigned char>(c);
          auto v = make(Value::Float);
          std::memcpy(&v->f, &u, 8);
          push(v);
          break;
        }
        case 'X':
          push_str(take(le<uint32_t>()));
          break;  // BINUNICODE
        case 0x8c:
          push_str(take(byte()));
          break;  // SHORT_BINUNICODE
        case 0x8d:
          push_str(take(checked_len(le<int64_t>())));
          break;  // BINUNICODE8
        case 'T':
          push_str(take(checked_len(le<int32_t>())));
          break;  // BINSTRING
        case 'U':
          push_str(take(byte()));
          break;  // SHORT_BINSTRING
        case 'B':
          push_str(take(le<uint32_t>()));
          break;  // BINBYTES
        case 'C':
          push_str(take(byte()));
          break;  // SHORT_BINBYTES
        case ')':
          push(make(Value::Tuple));
          break;  // EMPTY_TUPLE
        case ']':
          push(make(Value::List));
          break;  // EMPTY_LIST
        case '}':
          push(make(Value::Dict));
          break;     // EMPTY_DICT
        case 't': {  // TUPLE
          auto v = make(Value::Tuple);
          v->items = pop_mark();
          push(v);
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {  // TUPLE1..3
          auto v = make(Value::Tuple);
          v->items.resize(op - 0x84);
          for (size_t k = v->items.size(); k-- > 0;) v->items[k] = pop();
          push(v);
          break;
        }
        case 'l': {  // LIST
          auto v = make(Value::List);
          v->items = pop_mark();
          push(v);
          break;
        }
        case 'a': {  // APPEND
          auto x = pop();
          expect(top(), Value::List, "APPEND")->items.push_back(x);
          break;
        }
        case 'e': {  // APPENDS
          auto xs = pop_mark();
          auto& l = expect(top(), Value::List, "APPENDS")->items;
          l.insert(l.end(), xs.begin(), xs.end());
          break;
        }
        case 's': {  // SETITEM
          auto v = pop();
          auto k = pop();
          expect(top(), Value::Dict, "SETITEM")->dict.emplace_back(k, v);
          break;
        }
        case 'u': {  // SETITEMS
          auto xs = pop_mark();
          if (xs.size() % 2) fail("SETITEMS with an odd number of items");
          auto& d = expect(top(), Value::Dict, "SETITEMS")->dict;
          for (size_t k = 0; k < xs.size(); k += 2) d.emplace_back(xs[k], xs[k + 1]);
          break;
        }
        case 'c': {  // GLOBAL "module\nname\n"
          std::string module = line(), name = line();
          auto g = make(Value::Global);
          g->s = module + "." + name;
          push(g);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), module = pop();
          if (name->kind != Value::Str || module->kind != Value::Str) fail("STACK_GLOBAL needs two strings");
          auto g = make(Value::Global);
          g->s = module->s + "." + name->s;
          push(g);
          break;
        }
        case 'R':
        case 0x81: {  // REDUCE, NEWOBJ
          auto args = pop();
          auto fn = pop();
          push(call(fn, args));
          break;
        }
        case 'b':
          pop();
          top();
          break;  // BUILD: the state of an OrderedDict (_metadata) or a tensor is not needed
        case 'Q':
          push(persistent(pop()));
          break;  // BINPERSID
        case 'q':
          memo_put(byte());
          break;  // BINPUT
        case 'r':
          memo_put(le<uint32_t>());
          break;  // LONG_BINPUT
        case 0x94:
          memo_put(memo_.size());
          break;  // MEMOIZE
        case 'h':
          push(memo_get(byte()));
          break;  // BINGET
        case 'j':
          push(memo_get(le<uint32_t>()));
          break;  // LONG_BINGET
        case '0':
          pop();
          break;  // POP
        case '1':
          pop_mark();
          break;  // POP_MARK
        case '2':
          push(top());
          break;  // DUP
        default:
          fail(fmt::format("unsupported pickle opcode 0x{:02x} at byte {}", op, pos_ - 1));
      }
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { bad(what_, why); }

  unsigned char byte() {
    if (pos_ >= b_.size()) fail("truncated pickle");
    return static_cast<unsigned char>(b_[pos_++]);
  }
  std::string_view take(size_t n) {
    if (n > b_.size() - pos_) fail("truncated pickle");
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  template <typename T>
  T le() {
    T v;
    std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));
    return v;
  }
  size_t checked_len(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > b_.size()) fail("length field past the end of the file");
    return static_cast<size_t>(n);
  }
  std::string line() {
    const size_t nl = b_.find('\n', pos_);
    if (nl == std::string_view::npos || nl - pos_ > 256) fail("truncated GLOBAL");
    std::string s(b_.substr(pos_, nl - pos_));
    pos_ = nl + 1;
    return s;
  }

  void push(Ptr v) { stack_.push_back(v); }
  Ptr pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("pickle stack underflow");
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Ptr& top() {
    if (stack_.empty()) fail("pickle stack underflow");
    return stack_.back();
  }
  std::vector<Ptr> pop_mark() {
    if (marks_.empty()) fail("pickle MARK missing");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<Ptr> xs(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return xs;
  }
  Ptr& expect(Ptr& v, Value::Kind k, const char* op) {
    if (v->kind != k) fail(fmt::format("{} on the wrong kind of object", op));
    return v;
  }
  void push_int(int64_t x) {
    auto v = make(Value::Int);
    v->i = x;
    push(v);
  }
  void push_str(std::string_view s) {
    auto v = make(Value::Str);
    v->s.assign(s);
    push(v);
  }
  void long_int(size_t n) {
    auto bytes = take(n);
    if (n > 8) {
      auto v = make(Value::BigInt);
      v->s.assign(bytes);
      push(v);
      return;
    }
    uint64_t u = 0;
    for (size_t k = 0; k < n; ++k)
      u |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[k])) << (8 * k);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(bytes[n - 1]) & 0x80)) u |= ~uint64_t{0} << (8 * n);
    push_int(static_cast<int64_t>(u));
  }
  void memo_put(size_t k) {
    if (memo_.size() <= k) {
      if (k > stack_.size() + memo_.size() + 1024) fail("memo index out of range");
      memo_.resize(k + 1);
    }
    memo_[k] = top();
  }
  Ptr memo_get(size_t k) {
    if (k >= memo_.size() || !memo_[k]) fail(fmt::format("memo key {} not set", k));
    return memo_[k];
  }

  int64_t as_int(const Ptr& v, const char* field) {
    if (v->kind != Value::Int) fail(fmt::format("tensor {} is not an integer", field));
    return v->i;
  }
  std::vector<int64_t> int_tuple(const Ptr& v, const char* field) {
    if (v->kind != Value::Tuple) fail(fmt::format("tensor {} is not a tuple", field));
    std::vector<int64_t> out;
    for (const auto& x : v->items) out.push_back(as_int(x, field));
    return out;
  }

  // ('storage', torch.FloatStorage, key, location, numel[, view]) -> a storage reference.
  Ptr persistent(const Ptr& pid) {
    if (pid->kind != Value::Tuple || pid->items.size() < 5 || pid->items[0]->kind != Value::Str ||
        pid->items[0]->s != "storage")
      fail("unsupported persistent id (only tensor storages are read)");
    const auto& type = pid->items[1];
    const char* dtype = type->kind == Value::Global ? storage_dtype(type->s) : nullptr;
    if (!dtype) fail(fmt::format("unsupported storage type {}", type->kind == Value::Global ? type->s : "?"));
    auto v = make(Value::Storage);
    if (pid->items[2]->kind != Value::Str) fail("storage key is not a string");
    v->s = pid->items[2]->s;
    v->dtype = dtype;
    v->i = as_int(pid->items[4], "storage size");
    if (v->i < 0 || v->i > kMaxElements) fail("storage size out of range");
    storages_[v->s] = v->dtype;
    return v;
  }

  Ptr call(const Ptr& fn, const Ptr& args) {
    if (fn->kind != Value::Global) fail("REDUCE on something that is not a global");
    if (args->kind != Value::Tuple) fail(fmt::format("{} called without an argument tuple", fn->s));
    const auto& a = args->items;
    if (fn->s == "collections.OrderedDict" || fn->s == "builtins.dict") {
      if (!a.empty()) fail(fmt::format("{} with arguments is not supported", fn->s));
      return make(Value::Dict);
    }
    if (fn->s == "torch._utils._rebuild_tensor_v2" || fn->s == "torch._utils._rebuild_tensor") {
      if (a.size() < 4 || a[0]->kind != Value::Storage) fail(fmt::format("malformed {}", fn->s));
      auto t = make(Value::Tensor);
      t->items = {a[0]};
      t->dtype = a[0]->dtype;
      t->i = as_int(a[1], "offset");
      t->sizes = int_tuple(a[2], "size");
      t->strides = int_tuple(a[3], "stride");
      if (t->sizes.size() != t->strides.size()) fail("tensor size and stride differ in length");
      return t;
    }
    if (fn->s == "torch._utils._rebuild_parameter" || fn->s == "torch._utils._rebuild_parameter_with_state") {
      if (a.empty() || a[0]->kind != Value::Tensor) fail(fmt::format("malformed {}", fn->s));
      return a[0];
    }
    fail(
        fmt::format("unsupported global {} (only tensors, dicts, lists and scalars are read; nothing in the "
                    "file is executed)",
                    fn->s));
  }

  std::string_view b_;
  std::string what_;
  size_t pos_ = 0;
  std::vector<Ptr> stack_, memo_;
  std::vector<size_t> marks_;
  std::map<std::string, std::string> storages_;
  std::vector<std::unique_ptr<Value>> arena_;
};

// Gathers a (possibly strided) tensor out of its storage's bytes.
SafeTensor materialise(const Value& t, std::string_view storage, const std::string& key,
                       const std::string& what) {
  const Value& st = *t.items[0];
  const size_t es = safetensors_dtype_size(t.dtype);
  if (storage.size() < static_cast<size_t>(st.i) * es)
    bad(what,
        fmt::format("storage {} holds {} bytes, fewer than its {} elements", st.s, storage.size(), st.i));
  SafeTensor out;
  out.dtype = t.dtype;
  out.shape = t.sizes;
  int64_t n = 1, last = t.i;  // `last`: the highest element index the view touches
  for (size_t d = 0; d < t.sizes.size(); ++d) {
    if (t.sizes[d] < 0 || t.strides[d] < 0)
      bad(what, fmt::format("tensor {} has a negative size or stride", key));
    if (t.sizes[d] == 0) n = 0;
    if (n && t.sizes[d] > kMaxElements / n) bad(what, fmt::format("tensor {} is too large", key));
    n *= t.sizes[d];
    if (t.sizes[d] > 0) {
      if (t.strides[d] > 0 && t.sizes[d] - 1 > (kMaxElements - last) / t.strides[d])
        bad(what, fmt::format("tensor {} reaches past its storage", key));
      last += (t.sizes[d] - 1) * t.strides[d];
    }
  }
  if (t.i < 0 || (n > 0 && last >= st.i))
    bad(what, fmt::format("tensor {} reaches past its storage {} ({} elements)", key, st.s, st.i));
  if (n > st.i && static_cast<uint64_t>(n) * es > (uint64_t{1} << 30))  // zero strides repeat elements
    bad(what, fmt::format("tensor {} expands its storage past 1 GiB", key));
  out.bytes.resize(static_cast<size_t>(n) * es);
  std::vector<int64_t> idx(t.sizes.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = t.i;
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides[d];
    std::memcpy(&out.bytes[static_cast<size_t>(k) * es], storage.data() + off * es, es);
    for (size_t d = idx.size(); d-- > 0;) {  // row-major increment
      if (++idx[d] < t.sizes[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// The state dict inside the unpickled object.
const Value& state_dict(const Ptr& obj, const std::string& what) {
  if (obj->kind != Value::Dict) bad(what, "the checkpoint is not a dict of tensors");
  for (const auto& [k, v] : obj->dict)
    if (k->kind == Value::Str && k->s == "state_dict" && v->kind == Value::Dict) return *v;
  return *obj;
}

template <typename StorageBytes>
std::map<std::string, SafeTensor> collect(const Ptr& obj, StorageBytes&& storage_bytes,
                                          const std::string& what) {
  std::map<std::string, SafeTensor> out;
  for (const auto& [k, v] : state_dict(obj, what).dict) {
    if (k->kind != Value::Str || v->kind != Value::Tensor) continue;
    out[k->s] = materialise(*v, storage_bytes(*v->items[0]), k->s, what);
  }
  if (out.empty()) bad(what, "no tensors in the checkpoint");
  return out;
}

std::map<std::string, SafeTensor> parse_zip_pth(std::string_view file, const std::string& what) {
  const auto members = read_zip(file, what);
  std::map<std::string, const std::string*> by_name;
  std::string prefix;
  for (const auto& m : members) {
    by_name[m.name] = &m.data;
    const std::string tail = "data.pkl";
    if (m.name.size() >= tail.size() && m.name.compare(m.name.size() - tail.size(), tail.size(), tail) == 0 &&
        m.name.find('/') == m.name.size() - tail.size() - 1)
      prefix = m.name.substr(0, m.name.size() - tail.size());
  }
  if (prefix.empty()) bad(what, "zip archive without <name>/data.pkl (not a torch.save file)");
  if (auto it = by_name.find(prefix + "byteorder"); it != by_name.end() && *it->second != "little")
    bad(what, fmt::format("byte order '{}' (only little-endian is read)", *it->second));
  Unpickler up(*by_name.at(prefix + "data.pkl"), what);
  const Ptr obj = up.load();
  return collect(
      obj,
      [&](const Value& st) -> std::string_view {
        auto it = by_name.find(prefix + "data/" + st.s);
        if (it == by_name.end()) bad(what, fmt::format("storage {} missing from the archive", st.s));
        return *it->second;
      },
      what);
}

std::map<std::string, SafeTensor> parse_legacy_pth(std::string_view file, const std::string& what) {
  Unpickler up(file, what);
  const Ptr magic = up.load();
  // torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, pickled as a 10-byte LONG1.
  static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  if (magic->kind != Value::BigInt || magic->s != kMagic)
    bad(what, "no torch.save magic number (neither a zip archive nor a legacy checkpoint)");
  const Ptr version = up.load();
  if (version->kind != Value::Int || version->i != 1001)
    bad(what, fmt::format("legacy protocol version {} (1001 is read)", version->i));
  const Ptr info = up.load();
  if (info->kind == Value::Dict)
    for (const auto& [k, v] : info->dict)
      if (k->kind == Value::Str && k->s == "little_endian" && v->kind == Value::Bool && !v->i)
        bad(what, "a big-endian checkpoint (only little-endian is read)");
  const Ptr obj = up.load();
  const Ptr keys = up.load();
  if (keys->kind != Value::List) bad(what, "no storage key list after the object");
  // Then each storage in the list's order: an int64 element count and the raw bytes.
  std::map<std::string, std::string_view> data;
  size_t pos = up.pos();
  const auto& dtypes = up.storages();
  for (const auto& k : keys->items) {
    if (k->kind != Value::Str) bad(what, "storage key is not a string");
    if (file.size() - pos < 8) bad(what, fmt::format("truncated at storage {}", k->s));
    int64_t numel;
    std::memcpy(&numel, file.data() + pos, 8);
    pos += 8;
    auto dt = dtypes.find(k->s);
    if (dt == dtypes.end()) bad(what, fmt::format("storage {} is not referenced by the object", k->s));
    const size_t es = safetensors_dtype_size(dt->second);
    if (numel < 0 || numel > kMaxElements || static_cast<uint64_t>(numel) * es > file.size() - pos)
      bad(what, fmt::format("truncated at storage {}", k->s));
    data[k->s] = file.substr(pos, static_cast<size_t>(numel) * es);
    pos += static_cast<size_t>(numel) * es;
  }
  return collect(
      obj,
      [&](const Value& st) -> std::string_view {
        auto it = data.find(st.s);
        if (it == data.end()) bad(what, fmt::format("storage {} missing from the file", st.s));
        return it->second;
      },
      what);
}

}  // namespace

std::map<std::string, SafeTensor> parse_pth(std::string_view file, const std::string& what) {
  if (file.size() >= 4 && file.substr(0, 4) == std::string_view("PK\x03\x04", 4))
    return parse_zip_pth(file, what);
  return parse_legacy_pth(file, what);
}

std::map<std::string, SafeTensor> read_pth(const std::filesystem::path& path) {
  return parse_pth(read_file(path), path.string());
}

}  // namespace ganbench
