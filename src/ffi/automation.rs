//! C API of the automation rules engine.
