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
    // System libzmq (Debian: libzmq3-dev). No pkgConfig: Debian's libzmq.pc carries
    // `-isystem /usr/include/mit-krb5`, which SwiftPM refuses with a warning on every build;
    // zmq.h is in /usr/include and the module map links "zmq" itself.
    .systemLibrary(
      name: "CZeroMQ",
      providers: [.apt(["libzmq3-dev"])]),
    // Typed wrappers for libcurl's variadic curl_easy_setopt (Debian: libcurl4-openssl-dev).
    .target(
      name: "CCurlShim",
      linkerSettings: [.linkedLibrary("curl")]),
    .target(name: "ZMQWrap", dependencies: ["CZeroMQ"]),
    // One libwebsockets client (Debian: libwebsockets-dev) with its own service thread,
    // behind a small typed C API; lws's callbacks and headers stay in C.
    .target(
      name: "CWebSockets",
      linkerSettings: [
        .linkedLibrary("websockets"), .linkedLibrary("ssl"), .linkedLibrary("crypto"),
      ]),
    .target(name: "WebSocketWrap", dependencies: ["CWebSockets"]),
    // fork/exec of the kernel in launcher mode (signal reset, PDEATHSIG) and the
    // signal self-pipe: code that must not be Swift.
    .target(name: "CSpawn"),
    .target(
      name: "LMKClient",
      dependencies: [
        "CCurlShim", "OutsideFiles",
        .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
    // The pure core: state machine, notification policy and rendering, the message
    // model. No dependencies, no Foundation, no I/O (docs/ARCHITECTURE.md).
    .target(name: "ExecutionCore"),
    // Reading files that come from outside: size-capped, kind-checked, never blocking.
    .target(name: "OutsideFiles"),
    // The Jupyter wire protocol: connection files, signing, decoding. No ZeroMQ.
    .target(
      name: "JupyterProtocol",
      dependencies: [
        "ExecutionCore", "OutsideFiles", .product(name: "Crypto", package: "swift-crypto"),
      ]),
    // The bridge's settings layers: defaults, user config, notebook metadata, location.
    .target(name: "BridgeSettings", dependencies: ["ExecutionCore", "OutsideFiles"]),
    // Wrapped kernelspecs: discover, install, uninstall (for the CLI).
    .target(name: "KernelSpecs", dependencies: ["BridgeSettings", "OutsideFiles"]),
    // The imperative shell: channels, supervision, the LMK sink, memory sampling.
    .target(
      name: "BridgeRuntime",
      dependencies: [
        "ExecutionCore", "JupyterProtocol", "BridgeSettings", "KernelSpecs", "ZMQWrap",
        "LMKClient", "OutsideFiles", "CSpawn", "WebSocketWrap",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(
      name: "jupyter-lmk",
      dependencies: [
        "BridgeRuntime", "BridgeSettings", "KernelSpecs", "JupyterProtocol", "ExecutionCore",
        "LMKClient", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // Benchmark driver (Benchmarks/, tools/bench.sh): times the IOPub pipeline in-process,
    // linked as the shipped binary is.
    .executableTarget(
      name: "lmk-bench",
      dependencies: ["BridgeRuntime", "JupyterProtocol", "ExecutionCore", "ZMQWrap"]),
    .testTarget(name: "ZMQWrapTests", dependencies: ["ZMQWrap"]),
    // The test server (Support/ws_server.py) is run from #filePath, not bundled.
    .testTarget(
      name: "WebSocketWrapTests", dependencies: ["WebSocketWrap"], exclude: ["Support"]),
    // Helpers the test targets share (temporary directories).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    // Fixtures (IOPub transcripts, signing vectors) are read through #filePath, not bundled.
    .testTarget(name: "ExecutionCoreTests", dependencies: ["ExecutionCore", "JupyterProtocol"]),
    // Also decoding straight from libzmq's buffers (BridgeRuntime makes FrameBuffer WireFrames).
    .testTarget(
      name: "JupyterProtocolTests",
      dependencies: ["JupyterProtocol", "ExecutionCore", "ZMQWrap", "BridgeRuntime"]),
    // Also every reader of outside files, through OutsideFiles (connection files too).
    .testTarget(
      name: "BridgeSettingsTests",
      dependencies: [
        "BridgeSettings", "ExecutionCore", "OutsideFiles", "JupyterProtocol", "TestSupport",
      ]),
    .testTarget(
      name: "KernelSpecsTests", dependencies: ["KernelSpecs", "BridgeSettings", "TestSupport"]),
    .testTarget(
      name: "BridgeRuntimeTests",
      dependencies: [
        "BridgeRuntime", "ExecutionCore", "JupyterProtocol", "BridgeSettings", "LMKClient",
        "TestSupport", .product(name: "Logging", package: "swift-log"),
      ]),
    // Test support: a separate process posting events, so tests can SIGKILL it mid-delivery.
    .executableTarget(
      name: "lmk-test-sender", dependencies: ["LMKClient"], path: "Tests/LMKTestSender"),
    .testTarget(name: "LMKClientTests", dependencies: ["LMKClient", "OutsideFiles", "lmk-test-sender"]),
    // libFuzzer harnesses (Fuzz/, tools/fuzz.sh). The plain build makes corpus
    // replayers of them; tools/fuzz.sh builds them with -sanitize=fuzzer.
    .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
    .target(
      name: "FuzzSupport", dependencies: ["CFuzzerDriver", "JupyterProtocol"],
      path: "Fuzz/FuzzSupport"),
    .executableTarget(
      name: "fuzz-iopub",
      dependencies: ["FuzzSupport", "BridgeRuntime", "JupyterProtocol", "ExecutionCore"],
      path: "Fuzz/IOPub"),
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
      name: "fuzz-config",
      dependencies: ["FuzzSupport", "BridgeSettings", "JupyterProtocol", "ExecutionCore"],
      path: "Fuzz/Config"),
  ],
  swiftLanguageModes: [.v6]
)
