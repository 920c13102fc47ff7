// swift-tools-version: 6.1
import PackageDescription

let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "orbrec",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orbrec", targets: ["orbrec"]),
        // For the libFuzzer package in Fuzz/ (scripts/fuzz.sh), which links these modules alone.
        .library(name: "OrbrecCore", targets: ["OrbrecCore"]),
        .library(name: "OrbrecSpec", targets: ["OrbrecSpec"]),
        .library(name: "OrbrecLeases", targets: ["OrbrecLeases"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", .upToNextMinor(from: "0.12.1")),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Named directly: the TLS configuration behind sslmode needs NIOSSL's types.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pure model and logic: no files, processes, network or clock.
        .target(name: "OrbrecCore"),
        .target(name: "OrbrecSpec", dependencies: [
            "OrbrecCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "OrbrecStore", dependencies: [
            "OrbrecCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The state in PostgreSQL, for a state shared by several machines (`--state postgres://…`).
        .target(name: "OrbrecStorePostgres", dependencies: [
            "OrbrecCore", "OrbrecStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Child processes, started one way (argv only) and waited for without blocking a thread.
        .target(name: "OrbrecProcess"),
        // The attempt protocol every scheduler shares: the manifest a cluster job reads, the runner
        // (`orbrec _run-attempt`) and the result file it writes, and where an attempt's files live.
        .target(name: "OrbrecAttempts", dependencies: ["OrbrecCore", "OrbrecProcess"]),
        .target(name: "OrbrecLocal", dependencies: ["OrbrecCore", "OrbrecAttempts", "OrbrecProcess"]),
        // EC2 provider: SigV4, the Query API, XML answers. (The adapter itself is in progress.)
        .target(name: "OrbrecAWS", dependencies: [
            "OrbrecCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The slurm scheduler: sbatch, scontrol, sacct -c and scancel; its mapping of Slurm's
        // output is pure and tested on captured output.
        .target(name: "OrbrecSlurm", dependencies: ["OrbrecCore", "OrbrecAttempts", "OrbrecProcess"]),
        // The hostfactory provider: any HostFactory provider plugin driven through its five
        // scripts, and the documents of that interface (shared with `orbrec hostfactory`).
        .target(name: "OrbrecHostFactory", dependencies: ["OrbrecCore", "OrbrecProcess"]),
        .target(name: "OrbrecEngine", dependencies: ["OrbrecCore", "OrbrecStore"]),
        // The scheduler behind pull pools: attempts offered to and leased by workers, in the state.
        .target(name: "OrbrecLeases", dependencies: ["OrbrecCore", "OrbrecStore"]),
        // The API's vocabulary, shared by the CLI, the REST routes and the MCP tools: the documents
        // they answer, the input they read, and the one JSON encoder configuration.
        .target(name: "OrbrecAPI", dependencies: ["OrbrecCore", "OrbrecStore", "OrbrecEngine", "OrbrecLeases"]),
        // The daemon's HTTP face: REST, Server-Sent Events, /metrics and health.
        .target(name: "OrbrecServer", dependencies: [
            "OrbrecCore", "OrbrecStore", "OrbrecEngine", "OrbrecLeases", "OrbrecAPI",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            // The tokens file: YAML or JSON, and the SHA-256 of each secret.
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], plugins: ["EmbedJSONPlugin"]),
        // `orbrec mcp`: the Model Context Protocol over stdio, for agents (tools over the engine and the lease table).
        .target(name: "OrbrecMCP", dependencies: [
            "OrbrecCore", "OrbrecSpec", "OrbrecStore", "OrbrecEngine", "OrbrecAPI", "OrbrecLeases",
            .product(name: "MCP", package: "swift-sdk"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The journal's throughput against DESIGN.md 8 (Benchmarks/README.md).
        .executableTarget(name: "orbrec-journal-bench", dependencies: ["OrbrecCore", "OrbrecStore", "OrbrecStorePostgres"],
                          path: "Benchmarks/JournalBench"),
        .executableTarget(name: "orbrec", dependencies: [
            "OrbrecCore", "OrbrecSpec", "OrbrecStore", "OrbrecStorePostgres", "OrbrecProcess", "OrbrecAttempts", "OrbrecLocal", "OrbrecAWS", "OrbrecSlurm", "OrbrecHostFactory", "OrbrecLeases",
            "OrbrecEngine", "OrbrecAPI", "OrbrecServer", "OrbrecMCP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
        ], plugins: ["BuildInfoPlugin"]),
        // The commit and date `orbrec version` prints, written into the build directory at build time.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // Each .json file of a target as a string in the binary (OrbrecServer's OpenAPI document).
        .plugin(name: "EmbedJSONPlugin", capability: .buildTool()),
        .target(name: "OrbrecTestSupport", dependencies: ["OrbrecCore"]),

        .testTarget(name: "OrbrecCoreTests", dependencies: [
            "OrbrecCore", "OrbrecTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "OrbrecSpecTests", dependencies: ["OrbrecSpec", "OrbrecCore"],
                    exclude: ["Corpus", "HostileCorpus"]),
        .testTarget(name: "OrbrecStoreTests", dependencies: [
            "OrbrecStore", "OrbrecStorePostgres", "OrbrecCore", "OrbrecTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "OrbrecProcessTests", dependencies: ["OrbrecProcess"]),
        .testTarget(name: "OrbrecLocalTests", dependencies: ["OrbrecLocal", "OrbrecAttempts", "OrbrecCore"]),
        .testTarget(name: "OrbrecSlurmTests", dependencies: ["OrbrecSlurm", "OrbrecCore"], exclude: ["Fixtures"]),
        .testTarget(name: "OrbrecHostFactoryTests", dependencies: ["OrbrecHostFactory", "OrbrecCore"], exclude: ["Fixtures"]),
        .testTarget(name: "OrbrecAWSTests", dependencies: ["OrbrecAWS", "OrbrecCore"], exclude: ["Fixtures"]),
        // With HummingbirdTesting: the daemon's routes called in process, against the OpenAPI document.
        .testTarget(name: "OrbrecServerTests", dependencies: [
            "OrbrecServer", "OrbrecAPI", "OrbrecCore", "OrbrecSpec", "OrbrecStore", "OrbrecEngine", "OrbrecLocal", "OrbrecLeases", "OrbrecTestSupport",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "OrbrecEngineTests", dependencies: [
            "OrbrecEngine", "OrbrecStore", "OrbrecCore", "OrbrecTestSupport",
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "orbrec", "OrbrecTestSupport", "OrbrecCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + upcomingFeatures
}
