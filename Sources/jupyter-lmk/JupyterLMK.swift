import ArgumentParser

/// `jupyter-lmk`: watches Jupyter kernels and tells LMK when runs of cells end.
@main
struct JupyterLMK: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jupyter-lmk",
    abstract: "Notify you through LMK when a run of notebook cells finishes, fails, or the kernel dies.",
    discussion: """
      Runs beside any Jupyter kernel, listens to its IOPub channel and mirrors the
      cells' state into an LMK session. Also answers as `jupyter lmk …`.
      """,
    version: "0.1.0",
    subcommands: [AttachCommand.self, RunCommand.self]
  )
}
