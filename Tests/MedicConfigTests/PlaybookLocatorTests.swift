import MedicConfig
import Testing

/// Which playbook set is used when none is given: installed, packaged, shipped with the build, none.
@Suite("Finding the playbook set")
struct PlaybookLocatorTests {
    let installed = "/etc/medic/playbooks"
    let binary = "/src/medic/.build/x86_64-unknown-linux-gnu/release/medic"

    func locate(given: [String] = [], directories: Set<String>, files: Set<String> = ["/src/medic/Package.swift"], executable: String? = nil) -> PlaybookLocation {
        PlaybookLocator.locate(given: given, installedDirectory: installed, executable: executable ?? binary,
                               isDirectory: { directories.contains($0) }, isFile: { files.contains($0) })
    }

    @Test("given paths win, then the installed directory, the packaged set, the checkout's shipped set")
    func order() {
        let everything: Set<String> = [installed, PlaybookLocator.packagedDirectory, "/src/medic/Playbooks"]
        #expect(locate(given: ["/x.yaml"], directories: everything) == PlaybookLocation(origin: .given, paths: ["/x.yaml"], installedDirectory: installed))
        #expect(locate(directories: everything).origin == .installed)
        #expect(locate(directories: everything).paths == [installed])
        #expect(locate(directories: [PlaybookLocator.packagedDirectory, "/src/medic/Playbooks"]).paths == [PlaybookLocator.packagedDirectory])
        let shipped = locate(directories: ["/src/medic/Playbooks"])
        #expect(shipped.origin == .shipped && shipped.paths == ["/src/medic/Playbooks"])
        #expect(shipped.description == "the playbooks shipped with this build in /src/medic/Playbooks (none installed in /etc/medic/playbooks)")
    }

    @Test("an installed binary or a tree without Package.swift has no shipped set: none, said plainly")
    func none() {
        #expect(locate(directories: ["/src/medic/Playbooks"], executable: "/usr/local/bin/medic").origin == .none)
        #expect(locate(directories: ["/src/medic/Playbooks"], files: []).origin == .none)
        #expect(locate(directories: []).description.hasPrefix("no playbooks: none installed in /etc/medic/playbooks"))
    }
}
