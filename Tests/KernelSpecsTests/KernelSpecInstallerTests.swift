import Foundation
import TestSupport
import Testing

@testable import KernelSpecs

@Suite struct KernelSpecInstallerTests {
  /// A Jupyter layout in a temporary directory: an env prefix with ipykernel's spec and a
  /// Python, a user data dir, and an R kernel.
  struct Layout {
    let root: TemporaryDirectory
    var prefix: String { root.path + "/env" }
    var userData: String { root.path + "/user" }
    var directories: [String] { [prefix + "/share/jupyter/kernels", userData + "/kernels"] }

    init() throws {
      root = try TemporaryDirectory()
      try root.write("env/share/jupyter/kernels/python3/kernel.json", KernelSpecTests.ipykernelJSON)
      try root.write("env/share/jupyter/kernels/python3/logo-64x64.png", "PNG")
      try root.write("env/share/jupyter/kernels/python3/extra/nested.txt", "nested")
      try root.write("env/bin/python3", "#!/bin/sh\n")
      try root.write(
        "user/kernels/ir/kernel.json",
        #"{"argv": ["R", "--slave", "-f", "{connection_file}"], "display_name": "R", "language": "R"}"#
      )
      try root.write("user/kernels/broken/kernel.json", "{")
      try root.write("user/kernels/Bad Name/kernel.json", "{}")
    }

    func installer(jupyter: JupyterInstallation? = nil) -> KernelSpecInstaller {
      let catalog = KernelSpecCatalog.load(directories: directories, jupyter: jupyter)
      let prefix = prefix
      return KernelSpecInstaller(
        catalog: catalog, userDataDirectory: userData, jupyter: jupyter,
        bridgeExecutable: "/opt/bin/jupyter-lmk",
        isExecutable: { $0 == prefix + "/bin/python3" })
    }
  }

  @Test func catalogFindsSpecsLikeJupyterAndReportsBrokenOnes() throws {
    let layout = try Layout()
    let catalog = layout.installer().catalog
    #expect(catalog.inForce.map(\.name) == ["ir", "python3"])
    #expect(catalog.problems.map(\.file) == [layout.userData + "/kernels/broken/kernel.json"])
    #expect(
      catalog.spec(named: "PYTHON3")?.resourceDirectory == layout.prefix
        + "/share/jupyter/kernels/python3")
  }

  @Test func standardCatalogFindsAUserInstalledWrappedSpecWithoutPython() throws {
    let layout = try Layout()
    let installer = layout.installer()
    try installer.install(
      try installer.plan(kernel: "python3", name: nil, displayName: nil, scope: .user))
    let catalog = KernelSpecCatalog.standard(
      environment: ["JUPYTER_DATA_DIR": layout.userData], homeDirectory: layout.root.path)
    let spec = try #require(catalog.spec(named: "python3-lmk"))
    #expect(spec.language == "python" && spec.isWrapped)
  }

  @Test func firstDirectoryWins() throws {
    let layout = try Layout()
    try layout.root.write(
      "user/kernels/python3/kernel.json",
      #"{"argv": ["/other/python"], "display_name": "Shadowed"}"#)
    let catalog = layout.installer().catalog
    #expect(catalog.spec(named: "python3")?.displayName == "Python 3 (ipykernel)")
    #expect(catalog.onDisk.filter { $0.name == "python3" }.count == 2)
  }

  @Test func installWritesAWrappedSpecWithResourcesAndAResolvedPython() throws {
    let layout = try Layout()
    let installer = layout.installer()
    let plan = try installer.plan(kernel: "python3", name: nil, displayName: nil, scope: .user)
    #expect(plan.destination == layout.userData + "/kernels/python3-lmk")
    #expect(plan.warning == nil)
    try installer.install(plan)

    let written = try Data(contentsOf: URL(fileURLWithPath: plan.destination + "/kernel.json"))
    let spec = try KernelSpec(
      name: "python3-lmk", resourceDirectory: plan.destination, kernelJSON: written, file: "k")
    #expect(
      spec.argv?.prefix(6) == [
        "/opt/bin/jupyter-lmk", "run", "--connection-file", "{connection_file}", "--",
        layout.prefix + "/bin/python3",
      ])
    #expect(spec.displayName == "Python 3 (ipykernel) (LMK)")
    #expect(
      spec.json["metadata"]
        == .object(["debugger": .bool(true), "supported_encryption": .array([.string("curve")])]))
    #expect(FileManager.default.fileExists(atPath: plan.destination + "/logo-64x64.png"))
    #expect(FileManager.default.fileExists(atPath: plan.destination + "/extra/nested.txt"))
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: layout.userData + "/kernels"
    ).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty)

    // Installing again replaces our own spec.
    try installer.install(
      try installer.plan(kernel: "python3", name: nil, displayName: "Py (watched)", scope: .user))
    let again = try Data(contentsOf: URL(fileURLWithPath: plan.destination + "/kernel.json"))
    #expect(
      try KernelSpec(name: "x", resourceDirectory: "/", kernelJSON: again, file: "k").displayName
        == "Py (watched)")
  }

  @Test func neverOverwritesSomeoneElsesSpec() throws {
    let layout = try Layout()
    let installer = layout.installer()
    let plan = try installer.plan(kernel: "python3", name: "ir", displayName: nil, scope: .user)
    #expect(throws: KernelSpecError.destinationTaken(path: layout.userData + "/kernels/ir")) {
      try installer.install(plan)
    }
    let kept = try String(
      contentsOfFile: layout.userData + "/kernels/ir/kernel.json", encoding: .utf8)
    #expect(kept.contains("--slave"))
  }

  @Test func scopes() throws {
    let layout = try Layout()
    let jupyter = JupyterInstallation(
      python: "/j/bin/python", sysPrefix: layout.prefix, inVirtualEnvironment: true,
      kernelDirectories: nil,
      userDataDirectory: nil, kernelSpecs: [:])
    #expect(
      try layout.installer().kernelsDirectory(for: .prefix("/p/")) == "/p/share/jupyter/kernels")
    #expect(
      try layout.installer(jupyter: jupyter).kernelsDirectory(for: .sysPrefix) == layout.prefix
        + "/share/jupyter/kernels")
    #expect(throws: KernelSpecError.needsJupyterPython(option: "--sys-prefix")) {
      try layout.installer().kernelsDirectory(for: .sysPrefix)
    }
    let offPath = try layout.installer().plan(
      kernel: "python3", name: nil, displayName: nil, scope: .prefix("/p"))
    #expect(offPath.warning?.contains("add /p/share/jupyter to JUPYTER_PATH") == true)
  }

  @Test func planErrors() throws {
    let installer = try Layout().installer()
    #expect(throws: KernelSpecError.invalidName("bad name")) {
      try installer.plan(kernel: "python3", name: "bad name", displayName: nil, scope: .user)
    }
    #expect {
      try installer.plan(kernel: "julia", name: nil, displayName: nil, scope: .user)
    } throws: { error in
      guard case .noSuchKernel(name: "julia", _) = error as? KernelSpecError else { return false }
      return true
    }
    // `R` is not a Python: left alone.
    #expect(
      try installer.plan(kernel: "ir", name: nil, displayName: nil, scope: .user).wrapped.argv?[5]
        == "R")
  }

  @Test func builtInPython3FromTheProbeIsWrappedWithJupytersPython() throws {
    let layout = try Layout()
    try FileManager.default.removeItem(atPath: layout.prefix + "/share/jupyter/kernels/python3")
    try layout.root.write("site/ipykernel/resources/logo-32x32.png", "PNG")
    let builtIn = try KernelSpecTests.spec(
      name: "python3", directory: layout.root.path + "/site/ipykernel/resources")
    let jupyter = JupyterInstallation(
      python: "/j/bin/python3.11", sysPrefix: "/j", inVirtualEnvironment: false,
      kernelDirectories: layout.directories,
      userDataDirectory: layout.userData, kernelSpecs: ["python3": builtIn])
    let installer = layout.installer(jupyter: jupyter)
    let plan = try installer.plan(kernel: "python3", name: nil, displayName: nil, scope: .user)
    #expect(plan.wrapped.argv?[5] == "/j/bin/python3.11")
    try installer.install(plan)
    #expect(FileManager.default.fileExists(atPath: plan.destination + "/logo-32x32.png"))
  }

  @Test func installAllSkipsWrappedSpecs() throws {
    let layout = try Layout()
    let installer = layout.installer()
    for plan in installer.planAll(scope: .user).plans { try installer.install(plan) }
    let second = layout.installer().planAll(scope: .user)
    // Wrapping the originals again replaces ours; ours are not wrapped twice.
    #expect(second.plans.map(\.wrapped.name) == ["ir-lmk", "python3-lmk"])
    #expect(second.alreadyWrapped == ["ir-lmk", "python3-lmk"])
    #expect(second.failed.isEmpty)
  }

  @Test func provisionerInstallNeedsNoPythonAndCountsAsOurs() throws {
    let layout = try Layout()
    try layout.root.write(
      "user/kernels/py-user/kernel.json", #"{"argv": ["python3", "-m", "k"], "display_name": "P"}"#)
    let installer = layout.installer()
    let planned = installer.planAll(scope: .user, provisioner: true)
    // A bare python is left to jupyter_client, which resolves it before the provisioner runs.
    #expect(planned.failed.isEmpty)
    #expect(planned.plans.map(\.wrapped.name) == ["ir-lmk", "py-user-lmk", "python3-lmk"])
    for plan in planned.plans { try installer.install(plan) }
    let spec = try #require(layout.installer().catalog.spec(named: "py-user-lmk"))
    #expect(spec.argv == ["python3", "-m", "k"] && spec.provisionerName == "lmk")
    #expect(layout.installer().planAll(scope: .user).alreadyWrapped.contains("py-user-lmk"))
    let removals = try KernelSpecInstaller.removals(
      in: layout.installer().catalog, name: "", all: true, onlyIn: nil)
    #expect(removals.map(\.name).sorted() == ["ir-lmk", "py-user-lmk", "python3-lmk"])
  }

  @Test func installAllReportsKernelsItCannotWrap() throws {
    let layout = try Layout()
    try layout.root.write(
      "user/kernels/py-user/kernel.json", #"{"argv": ["python3", "-m", "k"], "display_name": "P"}"#)
    let planned = layout.installer().planAll(scope: .user)
    #expect(planned.plans.map(\.wrapped.name) == ["ir-lmk", "python3-lmk"])
    #expect(planned.failed.map(\.kernel) == ["py-user"])
    guard
      case .interpreterNotFound(kernel: "py-user", argv0: "python3", _)? = planned.failed.first?
        .error
    else {
      Issue.record("expected an unresolvable python, got \(planned.failed)")
      return
    }
  }

  @Test func uninstallRemovesOnlyOurSpecs() throws {
    let layout = try Layout()
    let installer = layout.installer()
    try installer.install(
      try installer.plan(kernel: "python3", name: nil, displayName: nil, scope: .user))
    try installer.install(
      try installer.plan(
        kernel: "python3", name: "py-env", displayName: nil, scope: .prefix(layout.prefix)))
    try installer.install(
      try installer.plan(kernel: "ir", name: nil, displayName: nil, scope: .user))
    let catalog = KernelSpecCatalog.load(directories: layout.directories, jupyter: nil)

    #expect(throws: KernelSpecError.self) {
      try KernelSpecInstaller.removals(in: catalog, name: "ir", all: false, onlyIn: nil)
    }
    #expect(throws: KernelSpecError.self) {
      try KernelSpecInstaller.removals(in: catalog, name: "nothing", all: false, onlyIn: nil)
    }
    let userOnly = try KernelSpecInstaller.removals(
      in: catalog, name: "", all: true, onlyIn: layout.userData + "/kernels")
    #expect(userOnly.map(\.name) == ["ir-lmk", "python3-lmk"])

    let everything = try KernelSpecInstaller.removals(
      in: catalog, name: "", all: true, onlyIn: nil)
    #expect(everything.map(\.name).sorted() == ["ir-lmk", "py-env", "python3-lmk"])
    let named = try KernelSpecInstaller.removals(
      in: catalog, name: KernelSpecInstaller.defaultName(wrapping: "Python3"), all: false,
      onlyIn: nil)
    #expect(named.map(\.name) == ["python3-lmk"])

    for spec in everything { try KernelSpecInstaller.remove(spec) }
    let after = KernelSpecCatalog.load(directories: layout.directories, jupyter: nil)
    #expect(after.inForce.map(\.name) == ["ir", "python3"])
    #expect(throws: KernelSpecError.self) {
      try KernelSpecInstaller.remove(try #require(after.spec(named: "ir")))
    }
  }

  @Test(arguments: [
    ("/usr/local/bin/jupyter-lmk", "/cwd", "/usr/local/bin/jupyter-lmk"),
    (".build/debug/jupyter-lmk", "/repo", "/repo/.build/debug/jupyter-lmk"),
    ("../bin/./jupyter-lmk", "/repo/x", "/repo/bin/jupyter-lmk"),
  ])
  func bridgeExecutablePath(argv0: String, cwd: String, expected: String) {
    #expect(
      KernelSpecInstaller.bridgeExecutable(argv0: argv0, currentDirectory: cwd, path: "/nowhere")
        == expected)
  }

  @Test func bareBridgeNameIsFoundOnPath() throws {
    let directory = try TemporaryDirectory()
    let binary = try directory.write("bin/jupyter-lmk", "#!/bin/sh\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
    #expect(
      KernelSpecInstaller.bridgeExecutable(
        argv0: "jupyter-lmk", currentDirectory: "/", path: "/nowhere:" + directory.path + "/bin")
        == binary)
  }
}
