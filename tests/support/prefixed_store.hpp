// Stores for tests that change one thing about a real store:
//   ForwardingStore — forwards every call (derive and override one to inject a fault);
//   PrefixedStore   — the same lake behind a key prefix ("tenant/…"), so a test proves no caller
//                     assumes the lake is the store's root folder or builds paths itself.
#pragma once

#include <string>

#include "lake/object_store.hpp"

namespace cryptolake::testing {

class ForwardingStore : public lake::ObjectStore {
 public:
  explicit ForwardingStore(lake::ObjectStore& inner) : inner_(inner) {}

  core::Status put(std::string_view k, std::string_view b) override { return inner_.put(k, b); }
  core::Result<std::string> get(std::string_view k) const override { return inner_.get(k); }
  core::Result<uint64_t> size(std::string_view k) const override { return inner_.size(k); }
  core::Result<std::vector<std::string>> list(std::string_view p) const override { return inner_.list(p); }
  core::Result<std::vector<std::string>> list_prefixes(std::string_view p) const override { return inner_.list_prefixes(p); }
  core::Status remove(std::string_view k) override { return inner_.remove(k); }
  core::Result<std::string> stage(std::string_view p) override { return inner_.stage(p); }
  core::Status publish(std::string_view s, std::string_view p) override { return inner_.publish(s, p); }
  void discard(std::string_view s) override { inner_.discard(s); }
  core::Status remove_stale_staging(std::string_view p) override { return inner_.remove_stale_staging(p); }
  std::string location(std::string_view k) const override { return inner_.location(k); }

 protected:
  lake::ObjectStore& inner_;
};

class PrefixedStore final : public lake::ObjectStore {
 public:
  PrefixedStore(lake::ObjectStore& inner, std::string prefix) : inner_(inner), prefix_(std::move(prefix)) {}

  core::Status put(std::string_view k, std::string_view b) override { return inner_.put(in(k), b); }
  core::Result<std::string> get(std::string_view k) const override { return inner_.get(in(k)); }
  core::Result<uint64_t> size(std::string_view k) const override { return inner_.size(in(k)); }
  core::Result<std::vector<std::string>> list(std::string_view p) const override {
    TRY_ASSIGN(std::vector<std::string> keys, inner_.list(in(p)));
    for (std::string& key : keys) key.erase(0, prefix_.size());
    return keys;
  }
  core::Result<std::vector<std::string>> list_prefixes(std::string_view p) const override {
    TRY_ASSIGN(std::vector<std::string> prefixes, inner_.list_prefixes(in(p)));
    for (std::string& prefix : prefixes) prefix.erase(0, prefix_.size());
    return prefixes;
  }
  core::Status remove(std::string_view k) override { return inner_.remove(in(k)); }
  core::Result<std::string> stage(std::string_view p) override {
    TRY_ASSIGN(std::string staged, inner_.stage(in(p)));
    return staged.substr(prefix_.size());
  }
  core::Status publish(std::string_view s, std::string_view p) override { return inner_.publish(in(s), in(p)); }
  void discard(std::string_view s) override { inner_.discard(in(s)); }
  core::Status remove_stale_staging(std::string_view p) override { return inner_.remove_stale_staging(in(p)); }
  std::string location(std::string_view k) const override { return inner_.location(in(k)); }

 private:
  std::string in(std::string_view key) const { return prefix_ + std::string(key); }

  lake::ObjectStore& inner_;
  std::string prefix_;
};

}  // namespace cryptolake::testing
