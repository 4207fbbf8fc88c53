import CSystemd
import Foundation
import MedicCore
import MedicEngine
import SystemdBus

/// The floor for CPU per event: the least a reader of systemd's unit signals can do with the same
/// libsystemd. It installs Medic's match rules, subscribes, and for each PropertiesChanged reads
/// the properties Medic reads (their values, skipping the rest) and nothing else: no Swift
/// concurrency, no model, no store. `medic-bench` runs it as a separate process beside `medic run`
/// and divides each one's CPU by the same signals.
enum RawReader {
    /// Reads until killed, on the bus at `address`. Returns only on a bus error.
    static func run(address: String) -> Int32 {
        var bus: OpaquePointer?
        guard sd_bus_new(&bus) >= 0, let bus else { return 1 }
        guard sd_bus_set_address(bus, address) >= 0, sd_bus_set_bus_client(bus, 1) >= 0, sd_bus_start(bus) >= 0 else { return 1 }
        for rule in SystemdManager.matchRules {
            guard sd_bus_add_match(bus, nil, rule, nil, nil) >= 0 else { return 1 }
        }
        var call: OpaquePointer?
        guard sd_bus_message_new_method_call(bus, &call, SystemdManager.destination, SystemdManager.managerPath,
                                             SystemdManager.managerInterface, "Subscribe") >= 0 else { return 1 }
        var error = sd_bus_error()
        var reply: OpaquePointer?
        let subscribed = sd_bus_call(bus, call, 0, &error, &reply)
        sd_bus_message_unref(call)
        sd_bus_message_unref(reply)
        guard subscribed >= 0 else { return 1 }
        // The names as C strings, compared without making Swift strings of every key.
        let wanted = UnitSnapshot.healthProperties.map { strdup($0)! }
        var values = 0
        while true {
            var message: OpaquePointer?
            let processed = sd_bus_process(bus, &message)
            if processed < 0 { return 1 }
            if let message {
                if sd_bus_message_is_signal(message, "org.freedesktop.DBus.Properties", "PropertiesChanged") > 0 {
                    values &+= readChanged(message, wanted: wanted)
                }
                sd_bus_message_unref(message)
            }
            if processed == 0, sd_bus_wait(bus, UInt64.max) < 0 { return 1 }
        }
    }

    /// Reads the wanted properties' values of one PropertiesChanged; returns how many it read.
    private static func readChanged(_ message: OpaquePointer, wanted: [UnsafeMutablePointer<CChar>]) -> Int {
        var interface: UnsafePointer<CChar>?
        guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &interface) >= 0,
              sd_bus_message_enter_container(message, CChar(UInt8(ascii: "a")), "{sv}") > 0 else { return 0 }
        var count = 0
        while sd_bus_message_enter_container(message, CChar(UInt8(ascii: "e")), "sv") > 0 {
            var key: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &key) >= 0, let key else { return count }
            if wanted.contains(where: { strcmp($0, key) == 0 }) {
                count += readVariant(message) ? 1 : 0
            } else {
                sd_bus_message_skip(message, "v")
            }
            sd_bus_message_exit_container(message)
        }
        return count
    }

    /// Reads a variant's value (a basic value; containers are walked and skipped).
    private static func readVariant(_ message: OpaquePointer) -> Bool {
        var type: CChar = 0
        var contents: UnsafePointer<CChar>?
        guard sd_bus_message_peek_type(message, &type, &contents) > 0, let contents,
              sd_bus_message_enter_container(message, CChar(UInt8(ascii: "v")), contents) > 0 else { return false }
        var storage = (UInt64(0), UInt64(0))
        let first = contents.pointee
        if first == CChar(UInt8(ascii: "a")) || first == CChar(UInt8(ascii: "(")) {
            sd_bus_message_skip(message, contents)
        } else {
            _ = withUnsafeMutableBytes(of: &storage) { sd_bus_message_read_basic(message, first, $0.baseAddress) }
        }
        sd_bus_message_exit_container(message)
        return true
    }
}
