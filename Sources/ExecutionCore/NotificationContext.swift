/// What the message needs to know beyond the run: who and what the notebook is.
public struct NotificationContext: Sendable, Equatable {
  /// The notebook's file name, or `<kernel name> kernel` when it is unknown.
  public var notebookName: String
  /// Where the notebook can be opened, when known; the name is linked to it.
  public var url: String?
  /// The kernel's language (`python`, `r`, `julia`…), used as the code fence's tag.
  public var language: String?

  public init(notebookName: String, url: String? = nil, language: String? = nil) {
    self.notebookName = notebookName
    self.url = url
    self.language = language
  }
}
