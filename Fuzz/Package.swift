// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets over orbrec's hostile-input surfaces, kept out of the root package so that
// its `swift build --build-tests` never links them. Built and run by scripts/fuzz.sh:
//   swift build -c release --sanitize=fuzzer --sanitize=address --scratch-path .build-fuzz
// Each target defines only LLVMFuzzerTestOneInput; libFuzzer supplies main.
let package = Package(
    name: "orbrec-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "orbrec", path: ".."),
    ],
    targets: [
        // Bytes as one YAML or JSON configuration file, through ConfigLoader to diagnostics.
        .executableTarget(name: "fuzz-config", dependencies: [
            .product(name: "OrbrecSpec", package: "orbrec"),
            .product(name: "OrbrecCore", package: "orbrec"),
        ], path: "Sources/FuzzConfig"),
        // Bytes as the JSON body of each lease API request, read and checked as the routes do.
        .executableTarget(name: "fuzz-leases", dependencies: [
            .product(name: "OrbrecLeases", package: "orbrec"),
            .product(name: "OrbrecCore", package: "orbrec"),
        ], path: "Sources/FuzzLeases"),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets {
    target.swiftSettings = [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]
}
