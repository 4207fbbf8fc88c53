import ArgumentParser
import Foundation
import MedicConfig
import MedicCore

/// Where playbooks are read from, for the commands that decide corrections (`run`, `heal`,
/// `explain`) and `playbook list`: `--playbooks`, else the installed, packaged or shipped set
/// (`PlaybookLocator`), said on stderr when it is not the installed one.
struct PlaybookOptions: ParsableArguments {
    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise; without them the packaged or shipped set).", valueName: "path"))
    var paths: [String] = []

    var location: PlaybookLocation {
        Self.locate(paths)
    }

    static func locate(_ paths: [String]) -> PlaybookLocation {
        let installed = PlaybookLoader.defaultDirectory(isRoot: geteuid() == 0, environment: ProcessInfo.processInfo.environment)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return PlaybookLocator.locate(given: paths, installedDirectory: installed, executable: executable, isDirectory: { path in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
        }, isFile: { FileManager.default.fileExists(atPath: $0) })
    }

    var searchPaths: [String] { location.paths }

    /// The valid set, or every problem on stderr and a failure: a partly valid set is never used.
    /// A set other than the given or installed one is named on stderr.
    func load(quiet: Bool = false) throws -> [Playbook] {
        let location = self.location
        if !quiet, location.origin != .given, location.origin != .installed { Output.error("using \(location.description)") }
        return try Self.load(location)
    }

    static func load(_ location: PlaybookLocation) throws -> [Playbook] {
        guard !location.paths.isEmpty else { return [] }
        let isRoot = geteuid() == 0
        // The packaged and shipped sets are trusted as installed ones are: root's files only, as root.
        let set = PlaybookLoader.load(paths: location.paths, trustedOwner: isRoot ? 0 : geteuid())
        guard set.isValid else {
            for problem in set.problems { Output.error(problem.description) }
            throw MedicFailure("refusing an invalid playbook set (\(set.problems.count) problems)")
        }
        return set.playbooks
    }
}
