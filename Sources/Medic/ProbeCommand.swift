import ArgumentParser
import Foundation
import MedicCore
import MedicEngine

/// `medic probe UNIT`: runs the unit's configured probes once, now, and prints what each found.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Run a unit's probes (medic.yaml's probes:) once and print what each found.",
        discussion: "Changes nothing and records nothing; the running daemon's probes go on as scheduled. The exit status is 0 when every probe passed and 1 when one failed."
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (default /etc/medic/medic.yaml as root, $XDG_CONFIG_HOME/medic/medic.yaml otherwise).", valueName: "file"))
    var configPath: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    /// One probe's outcome, as printed.
    struct Outcome: Encodable {
        var probe: String
        var passed: Bool
        var detail: String
        var seconds: Double
    }

    /// The `--json` document.
    struct Document: Encodable {
        var unit: String
        var probes: [Outcome]
    }

    func run() async throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("probe takes one unit name, not a pattern: \(unit)") }
        let name = pattern.text
        let specs = ProbeRule.specs(of: name, in: try StateOptions.configuration(at: configPath).probes)
        guard !specs.isEmpty else { throw MedicFailure("no probe in the configuration applies to \(name) (medic.yaml: probes:)") }
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
            for (index, spec) in specs.enumerated() {
                group.addTask {
                    let began = ContinuousClock.now
                    let result = await ProbeRunner.run(spec, unit: name) { Date().timeIntervalSince1970 }
                    let seconds = (ContinuousClock.now - began) / .seconds(1)
                    return (index, Outcome(probe: spec.kind.label, passed: result.passed, detail: result.detail, seconds: seconds))
                }
            }
            var outcomes: [(Int, Outcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
        if json {
            Output.json(Document(unit: name, probes: outcomes))
        } else {
            for outcome in outcomes {
                Output.line("\(outcome.passed ? "pass" : "FAIL")  \(outcome.probe): \(outcome.detail) (\(String(format: "%.3f", outcome.seconds)) s)")
            }
        }
        if outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
