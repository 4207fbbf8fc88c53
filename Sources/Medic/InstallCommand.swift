import ArgumentParser
import Foundation
import MedicConfig

/// `medic install`: puts the binary, the unit, a default configuration and the shipped playbooks in
/// the conventional places.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install this medic binary, its systemd unit, a default configuration and the shipped playbooks.",
        discussion: """
            Run from a Medic checkout (or pass --source): the unit, the default configuration and the playbooks \
            are read from its units/ and Playbooks/. An existing configuration, and playbooks changed since they \
            were installed, are kept (and `medic uninstall` keeps them, as it keeps the configuration, unless --purge). What was installed is listed in installed-files beside the configuration, \
            for `medic uninstall`.
            """
    )

    @OptionGroup var options: InstallOptions

    @Option(name: .customLong("source"), help: ArgumentHelp("The Medic checkout to install from (default: the current directory).", valueName: "dir"))
    var source = FileManager.default.currentDirectoryPath

    @Flag(name: .customLong("dry-run"), help: "Print every path install would write or keep, and write nothing.")
    var dryRun = false

    @Flag(name: .customLong("force"), help: "Install even a debug build (large and slow; meant for development).")
    var force = false

    /// Whether this binary is a debug build (SwiftPM defines DEBUG for those).
    static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    func run() throws {
        let layout = options.layout
        if Self.isDebugBuild && !force && !dryRun {
            throw MedicFailure("this is a debug build of medic: build a release first (swift build -c release, then .build/release/medic install), or pass --force")
        }
        let shippedUnit = source + (layout.scope == .system ? "/units/medic.service" : "/units/user/medic.service")
        guard let unitText = try? String(contentsOfFile: shippedUnit, encoding: .utf8),
              let configText = FileManager.default.contents(atPath: source + "/units/medic.yaml") else {
            throw MedicFailure("\(source) is not a Medic checkout (no \(shippedUnit) or units/medic.yaml): run from one or pass --source")
        }
        let playbooks = try FileManager.default.contentsOfDirectory(atPath: source + "/Playbooks").filter { $0.hasSuffix(".yaml") }.sorted()
        var manifest: [String] = []
        if dryRun { Output.line("dry-run: what install would write (nothing is written)") }

        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        try write(try Data(contentsOf: URL(fileURLWithPath: executable)), to: layout.binary, mode: 0o755)
        Output.line("binary: \(layout.binary)")
        manifest.append(layout.final(layout.binary) + "\t-")
        let unit = Data(layout.unitText(shipped: unitText).utf8)
        try write(unit, to: layout.unit, mode: 0o644)
        Output.line("unit: \(layout.unit)")
        manifest.append(layout.final(layout.unit) + "\t-")

        if FileManager.default.fileExists(atPath: layout.configuration) {
            Output.line("configuration: \(layout.configuration) (kept: it exists)")
        } else {
            try write(configText, to: layout.configuration, mode: 0o644)
            Output.line("configuration: \(layout.configuration)")
        }
        let installed = previousChecksums(layout)
        for name in playbooks {
            let target = layout.playbooks + "/" + name
            let shipped = try Data(contentsOf: URL(fileURLWithPath: source + "/Playbooks/" + name))
            if let existing = FileManager.default.contents(atPath: target) {
                if existing == shipped {
                    Output.line("playbook: \(target) (up to date)")
                    manifest.append(layout.final(target) + "\t" + InstallOptions.checksum(shipped))
                    continue
                }
                guard installed[target] == InstallOptions.checksum(existing) else {
                    // Written or changed by someone else: theirs to keep (and uninstall keeps it too).
                    Output.line("playbook: \(target) (kept: changed since it was installed)")
                    if let recorded = installed[target] { manifest.append(layout.final(target) + "\t" + recorded) }
                    continue
                }
            }
            try write(shipped, to: target, mode: 0o644)
            Output.line("playbook: \(target)")
            manifest.append(layout.final(target) + "\t" + InstallOptions.checksum(shipped))
        }
        try write(Data((manifest.joined(separator: "\n") + "\n").utf8), to: layout.manifest, mode: 0o644)
        Output.line("record of installed files: \(layout.manifest)")
        if dryRun {
            Output.line("dry-run: nothing was written and systemd was not told")
            return
        }
        if options.tellsSystemd {
            options.systemctl(["daemon-reload"])
            Output.line("start it now and at every boot: systemctl\(layout.scope == .user ? " --user" : "") enable --now medic.service")
        }
    }

    /// Checksums recorded by an earlier install, by path.
    private func previousChecksums(_ layout: InstallLayout) -> [String: String] {
        guard let text = try? String(contentsOfFile: layout.manifest, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { result[layout.staged(String(parts[0]))] = String(parts[1]) }
        }
        return result
    }

    /// Writes atomically (a temporary file renamed into place), creating directories as needed; in a
    /// dry-run, nothing.
    private func write(_ data: Data, to path: String, mode: Int) throws {
        if dryRun { return }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let temporary = directory + "/.medic-install-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: mode]) else {
                throw MedicFailure("cannot write \(temporary)")
            }
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw MedicFailure("cannot put \(path) in place: \(reason)")
            }
        } catch let failure as MedicFailure {
            throw failure
        } catch {
            throw MedicFailure("cannot install \(path): \(error.localizedDescription)")
        }
    }
}
