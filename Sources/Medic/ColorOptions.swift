import ArgumentParser
import Foundation
import MedicCore

/// `--color=auto|always|never`, systemctl's habit: health classes coloured on a terminal (failed
/// red, degraded yellow, healthy green), never when the output is not a terminal, `TERM=dumb` or
/// `NO_COLOR` is set (unless `always` is asked for).
struct ColorOptions: ParsableArguments {
    /// When to colour.
    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Option(name: .customLong("color"), help: ArgumentHelp("Colour health classes: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var choice: Choice = .auto

    var enabled: Bool {
        switch choice {
        case .always: return true
        case .never: return false
        case .auto:
            let environment = ProcessInfo.processInfo.environment
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" { return false }
            return isatty(STDOUT_FILENO) == 1
        }
    }

    /// The SGR parameters of a health class's colour; nil: left plain.
    static func sgr(_ health: Health) -> String? {
        switch health {
        case .failed: return "1;31"
        case .degraded: return "33"
        case .healthy: return "32"
        case .idle, .unknown: return nil
        }
    }
}
