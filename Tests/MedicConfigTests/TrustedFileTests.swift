import Foundation
import MedicConfig
import Testing

/// medic.yaml and playbooks are trusted only as sudo trusts sudoers; these run as whoever runs the
/// tests, with that user as the trusted owner (root in CI, where chown to another uid works).
@Suite("Trusted files")
struct TrustedFileTests {
    let owner = geteuid()

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "medic-trust-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }

    func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
    }

    func loadConfig(_ path: String) -> [String] {
        ConfigLoader.check(explicitPath: path, isRoot: owner == 0, environment: [:], trustedOwner: owner).problems.map(\.message)
    }

    @Test("a safe medic.yaml is read")
    func safe() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("watch: web.service\n", to: dir + "/medic.yaml")
        let outcome = ConfigLoader.check(explicitPath: dir + "/medic.yaml", isRoot: false, environment: [:], trustedOwner: owner)
        #expect(outcome.problems.isEmpty)
        #expect(outcome.configuration?.watches("web.service") == true)
    }

    @Test("medic.yaml that others could change is refused, one line naming the reason")
    func unsafeConfig() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/medic.yaml"
        try write("watch: web.service\n", to: file, mode: 0o666)
        #expect(loadConfig(file) == ["refused: the file is writable by everyone (chmod o-w)"])
        chmod(file, 0o664)
        #expect(loadConfig(file) == ["refused: the file is writable by its group (chmod g-w)"])
        chmod(file, 0o644)
        chmod(dir, 0o777)
        #expect(loadConfig(file) == ["refused: its directory \(dir) is writable by everyone (chmod o-w)"])
        chmod(dir, 0o755)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.yaml", withDestinationPath: file)
        #expect(loadConfig(dir + "/link.yaml") == ["refused: a symbolic link (point Medic at the file itself)"])
        if owner == 0 {
            chown(file, 4321, 4321)
            #expect(loadConfig(file) == ["refused: the file is owned by uid 4321, not root"])
        }
    }

    @Test("a FIFO, a device or a directory is refused at once, without blocking on it", arguments: ["fifo", "device", "directory"])
    func notRegular(kind: String) throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var path = dir + "/medic.yaml"
        switch kind {
        case "fifo": #expect(mkfifo(path, 0o644) == 0)
        case "device": path = "/dev/zero"
        default: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        let expected = ["fifo": "a FIFO", "device": "a character device", "directory": "a directory"][kind]!
        #expect(loadConfig(path) == ["refused: \(expected), not a regular file"])
        #expect(PlaybookLoader.load(paths: [kind == "directory" ? dir : path], trustedOwner: nil).problems.map(\.message).allSatisfy { $0.contains("not a regular file") })
    }

    @Test("a file over 1 MiB is refused before it is read")
    func sizeCap() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/medic.yaml"
        try write("# " + String(repeating: "x", count: TrustedFile.maximumSize) + "\n", to: file)
        #expect(loadConfig(file).first?.hasPrefix("refused: larger than 1 MiB") == true)
    }

    @Test("a link to a directory owned by someone else does not pass: the real path's parents are checked")
    func directoryLink() throws {
        guard owner == 0 else { return }
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let foreign = dir + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        try write("name: p\nsteps: [restart]\n", to: foreign + "/p.yaml")
        // The file itself is root's and safe; the directory it really lives in belongs to uid 4321.
        chown(foreign, 4321, 4321)
        try FileManager.default.createSymbolicLink(atPath: dir + "/playbooks", withDestinationPath: foreign)
        let problems = PlaybookLoader.load(paths: [dir + "/playbooks"], trustedOwner: 0).problems.map(\.message)
        #expect(problems == ["refused: its directory \(foreign) is owned by uid 4321, not root"])
        try write("watch: web.service\n", to: foreign + "/medic.yaml")
        #expect(loadConfig(dir + "/playbooks/medic.yaml") == ["refused: its directory \(foreign) is owned by uid 4321, not root"])
    }

    @Test("an empty playbook is called empty; text that is not UTF-8 names the offset")
    func emptyAndBinary() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("", to: dir + "/empty.yaml")
        #expect(PlaybookLoader.load(paths: [dir + "/empty.yaml"]).problems.map(\.message) == ["the file is empty: a playbook needs at least a name and steps"])
        _ = FileManager.default.createFile(atPath: dir + "/binary.yaml", contents: Data([0x6E, 0x61, 0x6D, 0x65, 0xFF, 0x00]))
        #expect(PlaybookLoader.load(paths: [dir + "/binary.yaml"]).problems.map(\.message) == ["not UTF-8 text (invalid byte at offset 4)"])
    }

    @Test("every problem in a configuration is reported, in file order, as file:line:column: field: message")
    func everyProblem() {
        let outcome = ConfigParser.check("""
            watch: []
            health:
              flap-restarts: 0
              bogus: 1
            slo:
              objective: 200
              units:
                - objective: 99
            corrections:
              max-concurrent: x
            """, file: "medic.yaml")
        #expect(outcome.configuration == nil)
        #expect(outcome.problems.map(\.description) == [
            "medic.yaml:1:8: watch: must name at least one unit or pattern (an empty selector never means all)",
            "medic.yaml:3:18: health.flap-restarts: expected a whole number of at least 1, got '0'",
            "medic.yaml:4:3: health.bogus: unknown field; expected one of crash-loop-restarts, flap-restarts, flap-window, reload-too-long, restart-grace, stuck-after",
            "medic.yaml:6:14: slo.objective: must be a percentage between 0 and 100, exclusive (e.g. 99.9), got 200.0",
            "medic.yaml:8:7: slo.units[0]: needs a 'match' pattern",
            "medic.yaml:10:19: corrections.max-concurrent: expected a whole number of at least 1, got 'x'",
        ])
    }

    @Test("the dashboard's token file: readable by its owner alone, one token of 16 characters or more")
    func tokenFile() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/token"
        try write("  a-long-enough-token-1234\n", to: path, mode: 0o600)
        #expect(try TokenFile.read(path, trustedOwner: owner) == "a-long-enough-token-1234")
        try write("a-long-enough-token-1234", to: path, mode: 0o644)
        #expect(throws: TrustedFile.Refusal.self) { try TokenFile.read(path, trustedOwner: owner) }
        do { _ = try TokenFile.read(path, trustedOwner: owner) } catch { #expect(error.message.contains("readable by others")) }
        try write("short", to: path, mode: 0o600)
        do { _ = try TokenFile.read(path, trustedOwner: owner); Issue.record("a short token was taken") } catch { #expect(error.message.contains("at least 16")) }
        try write("two tokens-with-a-space-in", to: path, mode: 0o600)
        #expect(throws: TrustedFile.Refusal.self) { try TokenFile.read(path, trustedOwner: owner) }
    }
}
