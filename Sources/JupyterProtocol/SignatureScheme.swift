/// The HMAC schemes a connection file may name (`signature_scheme`).
public enum SignatureScheme: String, Sendable, Equatable {
  case hmacSHA256 = "hmac-sha256"
  case hmacSHA512 = "hmac-sha512"
  case hmacMD5 = "hmac-md5"
}
