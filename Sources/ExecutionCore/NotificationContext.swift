/// What the message needs to know beyond the run: who and what the notebook is.
public struct NotificationContext: Sendable, Equatable {
  /// The notebook's file name; nil when it is unknown, and the message speaks of the kernel.
  public var notebookName: String?
  /// The kernel's name (its kernelspec's), for a message about an unknown notebook.
  public var kernelName: String
  /// Where the notebook can be opened, when known; the name is linked to it.
  public var url: String?
  /// The kernel's language (`python`, `r`, `julia`…), used as the code fence's tag.
  public var language: String?

  public init(
    notebookName: String?, kernelName: String = "jupyter", url: String? = nil,
    language: String? = nil
  ) {
    self.notebookName = notebookName
    self.kernelName = kernelName
    self.url = url
    self.language = language
  }
}
