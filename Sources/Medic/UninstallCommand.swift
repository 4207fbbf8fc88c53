import ArgumentParser
import Foundation
import MedicConfig

/// `medic uninstall`: reverses `medic install`.
struct UninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove what `medic install` installed; keep the configuration, changed playbooks and history unless --purge.",
        discussion: "Stops and disables the unit first (unless --no-reload or --root)."
    )

    @OptionGroup var options: InstallOptions

    @Flag(name: .customLong("purge"), help: "Also remove the configuration, every playbook and the history.")
    var purge = false

    func run() throws {
        let layout = options.layout
        if options.tellsSystemd { options.systemctl(["disable", "--now", "medic.service"]) }
        let text = (try? String(contentsOfFile: layout.manifest, encoding: .utf8)) ?? "\(layout.binary)\t-\n\(layout.unit)\t-\n"
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t").map(String.init)
            guard parts.count == 2 else { continue }
            let (path, recorded) = (layout.staged(parts[0]), parts[1])
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if recorded != "-" && InstallOptions.checksum(data) != recorded && !purge {
                Output.line("kept: \(path) (changed since it was installed)")
                continue
            }
            try remove(path)
        }
        try? FileManager.default.removeItem(atPath: layout.manifest)
        if purge {
            try remove((layout.configuration as NSString).deletingLastPathComponent)
            try remove(layout.state)
        } else {
            // Directories left empty go too.
            for directory in [layout.playbooks, (layout.configuration as NSString).deletingLastPathComponent] {
                if (try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty == true { try remove(directory) }
            }
            if FileManager.default.fileExists(atPath: layout.state) { Output.line("kept: \(layout.state) (history; --purge removes it)") }
        }
        if options.tellsSystemd { options.systemctl(["daemon-reload"]) }
    }

    private func remove(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
            Output.line("removed: \(path)")
        } catch {
            throw MedicFailure("cannot remove \(path): \(error.localizedDescription)")
        }
    }
}
