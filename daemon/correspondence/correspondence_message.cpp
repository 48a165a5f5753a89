// Composing one message from a ticket (correspondence_message.h).
#include "correspondence_message.h"

#include <random>

namespace csirtgw {

Result<ComposedCorrespondence> compose_correspondence(OpenPgpWorker& gpg, const AckHeaders& headers,
                                                      const std::string& text, const std::string& encrypt_to,
                                                      const std::string& boundary) {
  const std::string part = text_part(text);
  std::string entity;
  if (!encrypt_to.empty()) {
    auto ciphertext = gpg.sign_and_encrypt(part, encrypt_to);
    if (!ciphertext) return ciphertext.error();
    entity = encrypted_entity(ciphertext.value(), "=_csirtgw_" + boundary + "_e");
  } else {
    auto signature = gpg.sign_detached(part);
    if (!signature) return signature.error();
    entity = signed_entity(part, signature->armored, signature->micalg, "=_csirtgw_" + boundary + "_s");
  }
  ComposedCorrespondence composed;
  composed.message = ack_message(headers, entity);
  composed.plaintext = ack_message(headers, part);
  return composed;
}

OutgoingIdentity new_outgoing_identity(const std::string& hostname) {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t word = random();
    for (int j = 0; j < 8; ++j, word >>= 4) token.push_back(kHex[word & 0xf]);
  }
  return {"corr-" + token, "<corr." + token + "@" + hostname + ">"};
}

}  // namespace csirtgw
