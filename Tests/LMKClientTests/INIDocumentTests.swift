import Testing

@testable import LMKClient

@Suite struct INIDocumentTests {
  let original = """
    # written by hand
    [default]
    server_url = https://example.test

    [python]
    Access_Token = old
    server_url: https://api.lmkapp.dev
    ; a comment

    [other]
    access_token = keep-me

    """

  @Test func readsValuesOfOneSectionOnly() {
    let document = INIDocument(text: original)
    #expect(document.value(section: "python", key: "access_token") == "old")
    #expect(document.value(section: "python", key: "server_url") == "https://api.lmkapp.dev")
    #expect(document.value(section: "other", key: "access_token") == "keep-me")
    #expect(document.value(section: "python", key: "refresh_token") == nil)
    #expect(document.value(section: "missing", key: "access_token") == nil)
  }

  @Test func editsInPlaceAndKeepsEverythingElse() {
    var document = INIDocument(text: original)
    document.set(section: "python", key: "access_token", value: "new")
    document.set(section: "python", key: "refresh_token", value: "r1")
    document.remove(section: "python", key: "server_url")
    #expect(
      document.text == """
        # written by hand
        [default]
        server_url = https://example.test

        [python]
        access_token = new
        ; a comment
        refresh_token = r1

        [other]
        access_token = keep-me

        """)
  }

  @Test func createsAMissingSectionAtTheEnd() {
    var document = INIDocument(text: "[other]\nx = 1")
    document.set(section: "python", key: "access_token", value: "t")
    #expect(document.text == "[other]\nx = 1\n\n[python]\naccess_token = t\n")
    var empty = INIDocument(text: "")
    empty.set(section: "python", key: "k", value: "v")
    #expect(empty.text == "[python]\nk = v\n")
  }
}
