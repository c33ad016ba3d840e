/*
 * crmkit.hpp -- a header-only C++17 wrapper over the C API in crmkit.h.
 *
 * - Handles are RAII objects (move-only); they free themselves.
 * - A failing call throws crmkit::Error, which carries the crm_status and
 *   the library's message (crm_last_error_message()).
 * - Text goes in as std::string_view and comes out as std::string; strings
 *   returned by the library are freed with crm_string_free() for you.
 *
 *     #include "crmkit.hpp"
 *
 *     crmkit::Dataset dataset = crmkit::Dataset::from_json(json_text);
 *     std::cout << dataset.counts_json() << "\n";
 *
 * Link exactly as for the C API (see README.md). Written by hand, unlike
 * crmkit.h: it only adds ownership and exceptions, and every function is a
 * thin inline call of the C function of the same name.
 */
#ifndef CRMKIT_HPP
#define CRMKIT_HPP

#include "crmkit.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace crmkit {

/** A failed crmkit call: the status code and the library's message. */
class Error : public std::runtime_error {
public:
    Error(crm_status status, const std::string &message)
        : std::runtime_error(std::string(crm_status_str(static_cast<int32_t>(status))) + ": " +
                             message),
          status_(status), message_(message) {}

    /** The status code the C function returned. */
    crm_status status() const noexcept { return status_; }

    /** The library's message alone, without the status name. */
    const std::string &message() const noexcept { return message_; }

private:
    crm_status status_;
    std::string message_;
};

namespace detail {

/** Throws crmkit::Error unless `status` is CRM_STATUS_OK. */
inline void check(crm_status status) {
    if (status != CRM_STATUS_OK) {
        throw Error(status, crm_last_error_message());
    }
}

struct StringFree {
    void operator()(char *text) const noexcept { crm_string_free(text); }
};

/** Takes ownership of a string returned by crmkit and copies it out. */
inline std::string take(char *text) {
    std::unique_ptr<char, StringFree> owned(text);
    return owned ? std::string(owned.get()) : std::string();
}

/**
 * A NUL-terminated copy of `text` for the C API. An embedded NUL would
 * silently cut the text short, so it is refused.
 */
inline std::string terminated(std::string_view text, const char *name) {
    if (text.find('\0') != std::string_view::npos) {
        throw Error(CRM_STATUS_INVALID_ARGUMENT,
                    std::string(name) + ": the text contains a NUL byte");
    }
    return std::string(text);
}

} // namespace detail

/** The library's version ("0.1.0"), equal to CRM_VERSION_STRING. */
inline std::string version() { return crm_version(); }

/** The library's C ABI version, to compare with CRM_ABI_VERSION. */
inline std::uint32_t abi_version() { return crm_abi_version(); }

/**
 * Throws crmkit::Error (CRM_STATUS_UNSUPPORTED) when the library loaded at
 * run time was built for another C ABI than this header.
 */
inline void check_abi() {
    if (crm_abi_version() != CRM_ABI_VERSION) {
        throw Error(CRM_STATUS_UNSUPPORTED,
                    "the crmkit library has C ABI version " + std::to_string(crm_abi_version()) +
                        " but this header is for version " + std::to_string(CRM_ABI_VERSION));
    }
}

/**
 * A validated, immutable snapshot of CRM records (crm_dataset). One Dataset
 * may be used from several threads at once.
 */
class Dataset {
public:
    /** Loads and validates a dataset from JSON (crm_dataset_from_json). */
    static Dataset from_json(std::string_view json) {
        const std::string text = detail::terminated(json, "json");
        crm_dataset *handle = nullptr;
        detail::check(crm_dataset_from_json(text.c_str(), &handle));
        return Dataset(handle);
    }

    /** The number of records of each kind, as a JSON object. */
    std::string counts_json() const {
        char *json = nullptr;
        detail::check(crm_dataset_counts_json(handle_.get(), &json));
        return detail::take(json);
    }

    /** The C handle, still owned by this object. */
    const crm_dataset *get() const noexcept { return handle_.get(); }

private:
    struct Free {
        void operator()(crm_dataset *dataset) const noexcept { crm_dataset_free(dataset); }
    };

    explicit Dataset(crm_dataset *handle) : handle_(handle) {}

    std::unique_ptr<crm_dataset, Free> handle_;
};

} // namespace crmkit

#endif /* CRMKIT_HPP */
