import Foundation
import JupyterProtocol
import Logging
import TestSupport
import Testing

@testable import BridgeRuntime

@Suite struct BridgeSetupTests {
  /// IRkernel answers no kernel_info on control: the code fence's language
  /// comes from the kernelspec the connection file names.
  @Test func languageComesFromTheKernelspecTheConnectionFileNames() throws {
    let root = temporaryPath("jupyter-path")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let spec = root + "/kernels/ir-lmk"
    try FileManager.default.createDirectory(atPath: spec, withIntermediateDirectories: true)
    try #"{"argv": ["R"], "display_name": "R (LMK)", "language": "R"}"#.write(
      toFile: spec + "/kernel.json", atomically: false, encoding: .utf8)
    let connection = try ConnectionInfo.parse(
      Data(
        #"{"ip": "127.0.0.1", "transport": "tcp", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "", "signature_scheme": "hmac-sha256", "kernel_name": "ir-lmk"}"#
          .utf8), path: "kernel-1.json")
    let environment = ["HOME": root + "/home", "JUPYTER_PATH": root, "JUPYTER_PLATFORM_DIRS": "0"]
    let setup = BridgeSetup.prepare(
      connection: connection, notebookOverride: nil, kernelWorkingDirectory: nil, commandLine: nil,
      environment: environment, logger: Logger(label: "test"))
    #expect(setup.notification.language == "R")

    let unnamed = BridgeSetup.prepare(
      connection: nil, notebookOverride: nil, kernelWorkingDirectory: nil, commandLine: nil,
      environment: environment, logger: Logger(label: "test"))
    #expect(unnamed.notification.language == nil)
  }
}
