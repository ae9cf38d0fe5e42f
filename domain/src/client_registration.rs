//! The rule refusing a client registration that collides with a client already on the
//! register. The command handler, `decide` and the golden record each look up what they can
//! see and ask this one rule, so all of them refuse for the same reasons with the same words.

use crate::Rejection;

/// What the register already holds that a new client registration could collide with, as
/// the caller looked it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientRegisterFacts {
    /// The PIC's stream exists: client streams are named by their PIC, so a client with
    /// this PIC is registered already.
    pub pic_registered: bool,
    /// Another client holds the client id.
    pub client_id_taken: bool,
}

/// Whether a client with `pic` may be registered under `client_id`, given what the register
/// holds. A PIC already registered is named first: registering the same client again is
/// that case, and callers answer it as a duplicate when it is the same fact.
pub fn check_client_registration(
    pic: &str,
    client_id: i64,
    facts: ClientRegisterFacts,
) -> Result<(), Rejection> {
    if facts.pic_registered {
        return Err(Rejection::ClientAlreadyRegistered {
            pic: pic.to_string(),
        });
    }
    if facts.client_id_taken {
        return Err(Rejection::ClientIdTaken { client_id });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts(pic_registered: bool, client_id_taken: bool) -> ClientRegisterFacts {
        ClientRegisterFacts {
            pic_registered,
            client_id_taken,
        }
    }

    #[test]
    fn a_new_pic_and_a_free_client_id_may_be_registered() {
        assert_eq!(
            check_client_registration("QGUM0008", 8, ClientRegisterFacts::default()),
            Ok(())
        );
    }

    #[test]
    fn a_registered_pic_is_refused_beside_the_pic() {
        let refused = check_client_registration("QGUM0008", 8, facts(true, false))
            .expect_err("the PIC is registered");
        assert_eq!(refused.code(), "ALREADY_REGISTERED");
        assert_eq!(refused.field(), Some("pic"));
        assert_eq!(
            refused.to_string(),
            "client with PIC QGUM0008 already registered"
        );
    }

    #[test]
    fn a_taken_client_id_is_refused_beside_the_client_id() {
        let refused = check_client_registration("NSWB0008", 8, facts(false, true))
            .expect_err("the client id is taken");
        assert_eq!(refused.code(), "CLIENT_ID_TAKEN");
        assert_eq!(refused.field(), Some("clientId"));
        assert_eq!(refused.to_string(), "client id 8 belongs to another client");
    }

    #[test]
    fn a_registered_pic_is_named_before_a_taken_client_id() {
        assert_eq!(
            check_client_registration("QGUM0008", 8, facts(true, true)),
            Err(Rejection::ClientAlreadyRegistered {
                pic: "QGUM0008".into()
            })
        );
    }

    proptest! {
        #[test]
        fn refused_exactly_when_something_is_taken(
            pic in "[A-Z0-9]{8}",
            client_id in 1i64..=9_007_199_254_740_991,
            pic_registered: bool,
            client_id_taken: bool,
        ) {
            let verdict =
                check_client_registration(&pic, client_id, facts(pic_registered, client_id_taken));
            prop_assert_eq!(verdict.is_err(), pic_registered || client_id_taken);
            if let Err(refused) = verdict {
                let expected = if pic_registered { "pic" } else { "clientId" };
                prop_assert_eq!(refused.field(), Some(expected));
                let named = if pic_registered { pic.clone() } else { client_id.to_string() };
                prop_assert!(refused.to_string().contains(&named));
            }
        }
    }
}
