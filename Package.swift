// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Medic",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "medic", targets: ["Medic"]),
        .executable(name: "medic-bench", targets: ["MedicBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        // Only the HTTP server Medic needs: without swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.9.0"),
    ],
    targets: [
        // libsystemd (sd-bus, sd-journal) as a system library; no code of ours in C.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // The only module that speaks sd-bus.
        .target(name: "SystemdBus", dependencies: ["CSystemd"]),
        // The only module that reads the journal.
        .target(name: "SystemdJournal", dependencies: ["CSystemd", "MedicCore"]),
        // Pure logic: unit model, health classification. No I/O.
        .target(name: "MedicCore"),
        // medic.yaml into MedicCore's policies, with errors that name file, line and field.
        .target(
            name: "MedicConfig",
            dependencies: ["MedicCore", .product(name: "Yams", package: "Yams")]
        ),
        // Durable history in SQLite (GRDB): unit timelines and daemon sessions.
        .target(
            name: "MedicStore",
            dependencies: ["MedicCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Carries MedicCore's decisions out against systemd.
        .target(
            name: "MedicEngine",
            dependencies: [
                "MedicCore", "MedicConfig", "MedicStore", "SystemdBus", "SystemdJournal", "ProcessRunner",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The documents `--json` prints and the dashboard serves, and the dashboard's HTML pages and
        // SVG charts (also written as a file by `medic report --html`).
        .target(
            name: "MedicReports",
            dependencies: ["MedicCore", "MedicConfig", "MedicEngine", "MedicStore", "SystemdBus"]
        ),
        // Medic's HTTP face: /metrics, the dashboard and its API, the node_exporter textfile.
        .target(
            name: "MedicHTTP",
            dependencies: [
                "MedicCore", "MedicConfig", "MedicEngine", "MedicReports", "MedicStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Child processes from argv lists (posix_spawn + waitpid), for commands and the sandbox.
        .target(name: "ProcessRunner"),
        // A real `systemd --user` in a private mount namespace, for tests and the demo.
        .target(name: "SystemdSandbox", dependencies: ["ProcessRunner"]),
        .executableTarget(
            name: "Medic",
            dependencies: [
                "MedicCore", "MedicConfig", "MedicEngine", "MedicHTTP", "MedicReports", "MedicStore", "SystemdBus", "SystemdJournal", "SystemdSandbox",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "MedicCoreTests", dependencies: ["MedicCore", "MedicTestSupport"]),
        .testTarget(name: "MedicConfigTests", dependencies: ["MedicConfig", "MedicCore", "MedicTestSupport"]),
        .testTarget(name: "MedicStoreTests", dependencies: ["MedicStore", "MedicCore"]),
        .testTarget(name: "MedicEngineTests", dependencies: ["MedicEngine", "MedicHTTP", "MedicReports", "MedicConfig", "MedicCore", "MedicStore", "SystemdBus", "MedicTestSupport", "ProcessRunner"]),
        // Measures Medic on a sandboxed systemd and prints figures (not a test).
        .executableTarget(
            name: "MedicBench",
            dependencies: [
                "MedicCore", "MedicConfig", "MedicEngine", "MedicHTTP", "MedicStore", "SystemdBus", "SystemdSandbox", "MedicTestSupport",
                // The raw sd-bus reader that is CPU per event's floor.
                "CSystemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Runs the real `medic` against real sandboxed managers; fakes live only in unit tests.
        .target(
            name: "MedicTestSupport",
            dependencies: ["SystemdSandbox", "ProcessRunner", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/MedicTestSupport"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["MedicTestSupport", "SystemdSandbox", "SystemdBus", "MedicStore", "MedicEngine", "MedicCore", "Medic"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
