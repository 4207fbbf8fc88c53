import ArgumentParser
import Foundation
import MedicConfig
import MedicStore
import MedicCore

/// Where Medic's configuration and history live, shared by `run`, `slo` and `status`.
struct StateOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (default /etc/medic/medic.yaml as root, $XDG_CONFIG_HOME/medic/medic.yaml otherwise).", valueName: "file"))
    var configPath: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where history is kept (default /var/lib/medic as root, $XDG_STATE_HOME/medic otherwise).", valueName: "dir"))
    var stateDirectory: String?

    /// The configuration, or a one-line error naming file, line and field.
    func configuration() throws -> MedicConfiguration {
        try Self.configuration(at: configPath)
    }

    /// The configuration at `path` (nil: the conventional place), or a one-line error.
    static func configuration(at path: String?) throws -> MedicConfiguration {
        do {
            return try ConfigLoader.load(explicitPath: path, isRoot: geteuid() == 0, environment: ProcessInfo.processInfo.environment, trustedOwner: RunCommand.trustedOwner)
        } catch {
            throw MedicFailure("invalid configuration: \(error)")
        }
    }

    /// Whether a configuration file is there to honour (an explicit one always is).
    var configurationFileExists: Bool {
        configPath != nil || FileManager.default.fileExists(atPath: ConfigLoader.defaultPath(isRoot: geteuid() == 0, environment: ProcessInfo.processInfo.environment))
    }

    var storePath: String { Self.storePath(stateDirectory: stateDirectory) }

    /// `DIR/medic.db`, with the conventional directory when none is given.
    static func storePath(stateDirectory: String?) -> String {
        let directory: String
        if let stateDirectory {
            directory = stateDirectory
        } else if geteuid() == 0 {
            directory = "/var/lib/medic"
        } else {
            let env = ProcessInfo.processInfo.environment
            directory = (env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? "") + "/.local/state")) + "/medic"
        }
        return directory + "/medic.db"
    }

    /// Opens the store for writing (heal, stats --reset), creating it if needed.
    func openStore() throws -> MedicStore {
        do {
            return try MedicStore(path: storePath)
        } catch {
            throw MedicFailure(StoreFailure.describe(error, store: storePath))
        }
    }

    /// Opens the daemon's store: a corrupt one is moved aside for a fresh one (said on stderr, as an
    /// error), and loosened permissions are tightened (said too).
    func openDaemonStore() throws -> MedicStore {
        do {
            let opening = try MedicStore.openForDaemon(path: storePath)
            for note in opening.notes { Output.error(note) }
            if let target = opening.movedAside {
                Output.error("the history store \(storePath) is corrupt (\(opening.corruption ?? "unreadable")): moved aside to \(target) (kept for inspection); starting a fresh store")
            }
            return opening.store
        } catch {
            throw MedicFailure(error.message)
        }
    }

    /// Opens an existing store for reading only, or nil when there is none yet; a store that cannot
    /// be read (corrupt, unreadable) is one line of error.
    func existingStore() throws -> MedicStore? {
        guard FileManager.default.fileExists(atPath: storePath) else { return nil }
        do {
            return try MedicStore(readingFrom: storePath)
        } catch {
            throw MedicFailure(error.message)
        }
    }
}
