// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "jupyter-lmk",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "jupyter-lmk", targets: ["jupyter-lmk"]),
    .executable(name: "lmk-bench", targets: ["lmk-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.0"),
    .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
  ],
  targets: [
    // System libzmq (Debian: libzmq3-dev).
    .systemLibrary(
      name: "CZeroMQ", pkgConfig: "libzmq",
      providers: [.apt(["libzmq3-dev"])]),
    // Typed wrappers for libcurl's variadic curl_easy_setopt (Debian: libcurl4-openssl-dev).
    .target(
      name: "CCurlShim",
      linkerSettings: [.linkedLibrary("curl")]),
    .target(name: "ZMQWrap", dependencies: ["CZeroMQ"]),
    // fork/exec of the kernel in launcher mode (signal reset, PDEATHSIG) and the
    // signal self-pipe: code that must not be Swift.
    .target(name: "CSpawn"),
    .target(
      name: "LMKClient",
      dependencies: [
        "CCurlShim",
        .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
    .target(
      name: "JupyterBridge",
      dependencies: [
        "ZMQWrap", "LMKClient", "CSpawn",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "jupyter-lmk",
      dependencies: [
        "JupyterBridge", "LMKClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // Benchmark driver (Benchmarks/, tools/bench.sh): times the IOPub pipeline in-process.
    .executableTarget(name: "lmk-bench", dependencies: ["JupyterBridge", "ZMQWrap"]),
    .testTarget(name: "ZMQWrapTests", dependencies: ["ZMQWrap"]),
    // IOPub transcripts are read through #filePath, not bundled.
    .testTarget(
      name: "JupyterBridgeTests", dependencies: ["JupyterBridge"], exclude: ["Fixtures"]),
    // Test support: a separate process posting events, so tests can SIGKILL it mid-delivery.
    .executableTarget(
      name: "lmk-test-sender", dependencies: ["LMKClient"], path: "Tests/LMKTestSender"),
    .testTarget(name: "LMKClientTests", dependencies: ["LMKClient", "lmk-test-sender"]),
    // libFuzzer harnesses (Fuzz/, tools/fuzz.sh). The plain build makes corpus
    // replayers of them; tools/fuzz.sh builds them with -sanitize=fuzzer.
    .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
    .target(
      name: "FuzzSupport", dependencies: ["CFuzzerDriver", "JupyterBridge"],
      path: "Fuzz/FuzzSupport"),
    .executableTarget(
      name: "fuzz-iopub", dependencies: ["FuzzSupport", "JupyterBridge"], path: "Fuzz/IOPub"),
    .executableTarget(
      name: "fuzz-lmk",
      dependencies: [
        "FuzzSupport", "LMKClient",
        .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Fuzz/LMK"),
    .executableTarget(
      name: "fuzz-config", dependencies: ["FuzzSupport", "JupyterBridge"], path: "Fuzz/Config"),
  ],
  swiftLanguageModes: [.v6]
)
