import BridgeSettings
import Foundation
import Testing

@testable import KernelSpecs

@Suite struct KernelSpecTests {
  static let ipykernelJSON = """
    {"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
     "display_name": "Python 3 (ipykernel)", "language": "python", "interrupt_mode": "signal",
     "env": {"A": "1"}, "metadata": {"debugger": true, "supported_encryption": ["curve"]},
     "kernel_protocol_version": "5.5", "future_field": {"kept": [1, 2.5, null]}}
    """

  static func spec(
    _ json: String = ipykernelJSON, name: String = "python3",
    directory: String = "/venv/share/jupyter/kernels/python3"
  )
    throws -> KernelSpec
  {
    try KernelSpec(
      name: name, resourceDirectory: directory, kernelJSON: Data(json.utf8),
      file: directory + "/kernel.json")
  }

  @Test func wrappingKeepsEverythingButArgvAndDisplayName() throws {
    let original = try Self.spec()
    let wrapped = try original.wrapped(
      name: "python3-lmk", displayName: nil, bridgeExecutable: "/opt/bin/jupyter-lmk",
      interpreter: "/venv/bin/python3")
    #expect(
      wrapped.argv == [
        "/opt/bin/jupyter-lmk", "run", "--connection-file", "{connection_file}", "--",
        "/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}",
      ])
    #expect(wrapped.displayName == "Python 3 (ipykernel) (LMK)")
    #expect(wrapped.name == "python3-lmk")
    #expect(wrapped.isWrapped && !original.isWrapped)
    #expect(
      wrapped.wrappedArgv == [
        "/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}",
      ])
    for key in [
      "language", "interrupt_mode", "env", "metadata", "kernel_protocol_version", "future_field",
    ] {
      #expect(wrapped.json[key] == original.json[key], "\(key)")
    }
    // The written file reads back the same.
    let reread = try KernelSpec(
      name: "python3-lmk", resourceDirectory: "/x", kernelJSON: try wrapped.kernelJSON(),
      file: "/x/kernel.json")
    #expect(reread.json == wrapped.json)
  }

  @Test func customDisplayNameAndUntouchedArgv0() throws {
    let wrapped = try Self.spec(
      #"{"argv": ["/usr/bin/R", "--slave"], "display_name": "R", "language": "R"}"#, name: "ir"
    )
    .wrapped(
      name: "r-watched", displayName: "R (watched)", bridgeExecutable: "/b/jupyter-lmk",
      interpreter: nil)
    #expect(wrapped.argv?.suffix(2) == ["/usr/bin/R", "--slave"])
    #expect(wrapped.displayName == "R (watched)")
  }

  @Test func refusesToWrapAWrappedSpec() throws {
    let wrapped = try Self.spec().wrapped(
      name: "python3-lmk", displayName: nil, bridgeExecutable: "/b/jupyter-lmk", interpreter: nil)
    #expect(throws: KernelSpecError.alreadyWrapped(name: "python3-lmk")) {
      try wrapped.wrapped(
        name: "x", displayName: nil, bridgeExecutable: "/b/jupyter-lmk", interpreter: nil)
    }
  }

  @Test func provisionedKeepsArgvAndNamesTheLMKProvisioner() throws {
    let original = try Self.spec()
    let provisioned = try original.provisioned(name: "python3-lmk", displayName: nil)
    #expect(provisioned.argv == original.argv)
    #expect(provisioned.provisionerName == "lmk" && original.provisionerName == nil)
    #expect(provisioned.isWrapped && !original.isWrapped)
    #expect(provisioned.wrappedArgv == original.argv)
    #expect(provisioned.displayName == "Python 3 (ipykernel) (LMK)")
    // The rest of metadata is kept (CURVE support, the debugger flag).
    var metadata = try #require(provisioned.json["metadata"]?.objectValue)
    #expect(
      metadata.removeValue(forKey: "kernel_provisioner")
        == .object(["provisioner_name": .string("lmk"), "config": .object([:])]))
    #expect(ConfigJSONValue.object(metadata) == original.json["metadata"])
    // Neither way of wrapping applies twice, in either order.
    #expect(throws: KernelSpecError.alreadyWrapped(name: "python3-lmk")) {
      try provisioned.wrapped(
        name: "x", displayName: nil, bridgeExecutable: "/b/jupyter-lmk", interpreter: nil)
    }
    let wrapped = try original.wrapped(
      name: "python3-lmk", displayName: nil, bridgeExecutable: "/b/jupyter-lmk", interpreter: nil)
    #expect(throws: KernelSpecError.alreadyWrapped(name: "python3-lmk")) {
      try wrapped.provisioned(name: "x", displayName: nil)
    }
  }

  @Test func provisionedRefusesASpecWithAnotherProvisioner() throws {
    let remote = try Self.spec(
      #"{"argv": ["k"], "display_name": "K", "metadata": {"kernel_provisioner": {"provisioner_name": "remote"}}}"#,
      name: "k")
    #expect(!remote.isWrapped)
    #expect(
      throws: KernelSpecError.invalidSpec(
        name: "k", problem: "it already starts through the kernel provisioner \"remote\"")
    ) {
      try remote.provisioned(name: "k-lmk", displayName: nil)
    }
  }

  @Test(arguments: [
    (["/a/jupyter-lmk", "run", "--connection-file", "{connection_file}", "--", "k"], true),
    (["/a/jupyter-lmk-debug", "run", "--connection-file", "{connection_file}", "--", "k"], true),
    // Nothing to run.
    (["/a/jupyter-lmk", "run", "--connection-file", "{connection_file}", "--"], false),
    (["/a/other", "run", "--connection-file", "{connection_file}", "--", "k"], false),
    (["/a/jupyter-lmk", "attach", "--connection-file", "{connection_file}", "--", "k"], false),
    (["python", "-m", "ipykernel_launcher"], false),
  ])
  func recognisesOurArgv(argv: [String], ours: Bool) {
    #expect(KernelSpec.isBridgeArgv(argv) == ours)
  }

  @Test(arguments: [
    (#"{"display_name": "x"}"#, "argv"),
    (#"{"argv": [], "display_name": "x"}"#, "argv"),
    (#"{"argv": ["a", 1]}"#, "argv"),
  ])
  func rejectsSpecsWithoutAUsableArgv(json: String, key: String) {
    #expect(
      throws: ConfigError(
        file: "/k/kernel.json", key: key, problem: "must be a non-empty array of strings")
    ) {
      try KernelSpec(
        name: "k", resourceDirectory: "/k", kernelJSON: Data(json.utf8), file: "/k/kernel.json")
    }
  }

  @Test(arguments: [
    ("python3-lmk", true), ("My.Kernel_2", true), ("", false), ("a b", false), ("a/b", false),
    ("é", false),
  ])
  func validatesNames(name: String, valid: Bool) {
    #expect(KernelSpec.isValidName(name) == valid)
  }
}

@Suite struct InterpreterResolverTests {
  @Test(arguments: [
    ("python", true), ("python3", true), ("python3.11", true), ("python3.", false),
    ("python3.11.2", false),
    ("pythonw", false), ("/usr/bin/python3", false), ("ipython", false), ("python٣", false),
  ])
  func barePythonNames(argv0: String, bare: Bool) {
    #expect(InterpreterResolver.isBarePython(argv0) == bare)
  }

  @Test(arguments: [
    ("/venv/share/jupyter/kernels/python3", "/venv" as String?),
    ("/usr/share/jupyter/kernels/python3/", "/usr"),
    ("/share/jupyter/kernels/python3", "/"),
    ("/home/u/.local/share/jupyter/kernels/x", "/home/u/.local"),
    ("/venv/lib/python3.11/site-packages/ipykernel/resources", nil),
    ("/venv/share/jupyter/kernels", nil),
  ])
  func owningPrefix(directory: String, prefix: String?) {
    #expect(InterpreterResolver.owningPrefix(ofResourceDirectory: directory) == prefix)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var argv0: String
    var directory: String
    var jupyterPython: String?
    var executables: Set<String>
    var expected: String?
    var testDescription: String { "\(argv0) in \(directory)" }
  }

  static let cases: [Case] = [
    Case(
      argv0: "/opt/bin/python3", directory: "/venv/share/jupyter/kernels/p",
      jupyterPython: "/j/python", executables: [], expected: nil),
    Case(
      argv0: "python", directory: "/venv/share/jupyter/kernels/p", jupyterPython: "/j/python",
      executables: ["/venv/bin/python3", "/venv/bin/python"], expected: "/venv/bin/python3"),
    Case(
      argv0: "python3.11", directory: "/venv/share/jupyter/kernels/p", jupyterPython: nil,
      executables: ["/venv/bin/python3.11"], expected: "/venv/bin/python3.11"),
    Case(
      argv0: "python", directory: "/venv/share/jupyter/kernels/p", jupyterPython: nil,
      executables: ["/venv/bin/python"], expected: "/venv/bin/python"),
    // Debian: /usr/share/jupyter/kernels/python3 with `python`, and no /usr/bin/python.
    Case(
      argv0: "python", directory: "/usr/share/jupyter/kernels/python3", jupyterPython: "/j/python",
      executables: ["/usr/bin/python3"], expected: "/usr/bin/python3"),
    Case(
      argv0: "python", directory: "/home/u/.local/share/jupyter/kernels/p",
      jupyterPython: "/j/python",
      executables: [], expected: "/j/python"),
    Case(
      argv0: "python", directory: "/site-packages/ipykernel/resources", jupyterPython: "/j/python",
      executables: ["/usr/bin/python3"], expected: "/j/python"),
  ]

  @Test(arguments: cases)
  func resolves(_ example: Case) throws {
    let executables = example.executables
    let resolved = try InterpreterResolver.resolve(
      argv0: example.argv0, kernelName: "p", resourceDirectory: example.directory,
      jupyterPython: example.jupyterPython, isExecutable: { executables.contains($0) })
    #expect(resolved == example.expected)
  }

  @Test func noInterpreterIsAClearError() {
    #expect {
      _ = try InterpreterResolver.resolve(
        argv0: "python3", kernelName: "p",
        resourceDirectory: "/home/u/.local/share/jupyter/kernels/p",
        jupyterPython: nil, isExecutable: { _ in false })
    } throws: { error in
      guard case .interpreterNotFound(kernel: "p", argv0: "python3", _) = error as? KernelSpecError
      else { return false }
      return "\(error)".contains("--python")
    }
  }
}

@Suite struct JupyterPathsTests {
  @Test func searchOrderLikeJupyterCore() {
    let plain = JupyterPaths.compute(
      environment: [:], homeDirectory: "/home/u", sysPrefix: "/opt/py", inVirtualEnvironment: false)
    #expect(plain.userDataDirectory == "/home/u/.local/share/jupyter")
    #expect(
      plain.kernelDirectories == [
        "/home/u/.local/share/jupyter/kernels", "/opt/py/share/jupyter/kernels",
        "/usr/local/share/jupyter/kernels",
        "/usr/share/jupyter/kernels", "/home/u/.ipython/kernels",
      ])

    let venv = JupyterPaths.compute(
      environment: ["JUPYTER_PATH": "/a:/b/", "XDG_DATA_HOME": "/xdg"], homeDirectory: "/home/u",
      sysPrefix: "/venv",
      inVirtualEnvironment: true)
    #expect(venv.userDataDirectory == "/xdg/jupyter")
    #expect(
      venv.kernelDirectories == [
        "/a/kernels", "/b/kernels", "/venv/share/jupyter/kernels", "/xdg/jupyter/kernels",
        "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels",
        "/home/u/.ipython/kernels",
      ])

    let forced = JupyterPaths.compute(
      environment: [
        "JUPYTER_DATA_DIR": "/data", "JUPYTER_PREFER_ENV_PATH": "no", "IPYTHONDIR": "/ipy",
      ],
      homeDirectory: "/home/u", sysPrefix: "/usr", inVirtualEnvironment: true)
    // `/usr/share/jupyter` is a system directory, so the env entry adds nothing.
    #expect(
      forced.kernelDirectories == [
        "/data/kernels", "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels",
        "/ipy/kernels",
      ])
  }
}

@Suite struct JupyterProbeTests {
  @Test(arguments: [
    ("#!/venv/bin/python3\nimport sys", ["/venv/bin/python3"] as [String]?),
    ("#!/usr/bin/python3 -s\n", ["/usr/bin/python3", "-s"]),
    ("#!/usr/bin/env python3\n", ["/usr/bin/env", "python3"]),
    (
      "#!/bin/sh\n'''exec' \"/very/long/path/bin/python3\" \"$0\" \"$@\"\n' '''\n",
      ["/very/long/path/bin/python3"]
    ),
    ("#!/bin/sh\necho hi\n", nil),
    ("#!/usr/bin/env node\n", nil),
    ("\u{7f}ELF\u{2}", nil),
  ])
  func interpreterFromTheJupyterScript(head: String, expected: [String]?) {
    #expect(JupyterInstallation.interpreterCommand(fromScriptHead: head) == expected)
  }

  @Test func parsesTheProbeAnswer() throws {
    let output = """
      some warning on stdout
      {"executable": "/venv/bin/python", "prefix": "/venv", "venv": true, "dataDir": "/home/u/.local/share/jupyter",
       "kernelDirs": ["/venv/share/jupyter/kernels", "/home/u/.local/share/jupyter/kernels"],
       "kernelspecs": {"python3": {"resource_dir": "/venv/lib/ipykernel/resources",
         "spec": {"argv": ["/venv/bin/python", "-m", "ipykernel_launcher"], "display_name": "Python 3", "language": "python"}}}}
      """.replacingOccurrences(of: "\n ", with: " ")
    let installation = try JupyterInstallation.parseProbeOutput(output)
    #expect(installation.python == "/venv/bin/python")
    #expect(installation.sysPrefix == "/venv")
    #expect(installation.inVirtualEnvironment)
    #expect(
      installation.kernelDirectories == [
        "/venv/share/jupyter/kernels", "/home/u/.local/share/jupyter/kernels",
      ])
    #expect(
      installation.kernelSpecs["python3"]?.resourceDirectory == "/venv/lib/ipykernel/resources")
    #expect(installation.kernelSpecs["python3"]?.argv?.first == "/venv/bin/python")

    let bare = try JupyterInstallation.parseProbeOutput(
      #"{"executable": "/usr/bin/python3", "prefix": "/usr", "venv": false, "error": "No module named 'jupyter_client'"}"#
    )
    #expect(bare.kernelDirectories == nil && bare.kernelSpecs.isEmpty)
    #expect(throws: KernelSpecError.self) {
      try JupyterInstallation.parseProbeOutput("Traceback ...")
    }
  }
}
