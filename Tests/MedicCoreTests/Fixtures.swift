import MedicCore

/// Builds unit snapshots for classifier tests: a loaded unit in the given state, plus tweaks.
func unit(
    _ active: String,
    _ sub: String,
    result: String? = "success",
    code: Int32? = nil,
    status: Int32? = nil,
    _ tweak: (inout UnitSnapshot) -> Void = { _ in }
) -> UnitSnapshot {
    unit("app.service", active, sub, result: result, code: code, status: status, tweak)
}

/// As `unit(_:_:)`, for a unit with the given name.
func unit(
    _ name: String,
    _ active: String,
    _ sub: String,
    result: String? = "success",
    code: Int32? = nil,
    status: Int32? = nil,
    _ tweak: (inout UnitSnapshot) -> Void = { _ in }
) -> UnitSnapshot {
    var snapshot = UnitSnapshot(name: name)
    snapshot.loadState = "loaded"
    snapshot.activeState = active
    snapshot.subState = sub
    snapshot.result = result
    snapshot.execMainCode = code
    snapshot.execMainStatus = status
    snapshot.invocationID = "0123456789abcdef0123456789abcdef"
    tweak(&snapshot)
    return snapshot
}

/// Seconds since the epoch used as "now" in tests.
let now: Double = 1_800_000_000

/// Microseconds for a time `seconds` before `now`.
func micros(ago seconds: Double) -> UInt64 { UInt64((now - seconds) * 1_000_000) }
