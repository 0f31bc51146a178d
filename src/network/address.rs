//! Which IP addresses a URL taken from a document may lead to: public unicast only. The ranges
//! refused are those of the IANA special-purpose address registries (RFC 6890): RFC 1918
//! private, RFC 6598 shared (carrier-grade NAT), RFC 4193 unique local, RFC 3927/4291
//! link-local, loopback, unspecified, multicast, broadcast and the reserved rest.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A range of addresses that is not the public internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// `0.0.0.0/8`, `::`: "this host", which reaches the local machine.
    Unspecified,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918 `10/8`, `172.16/12`, `192.168/16`; IPv6 site-local `fec0::/10`.
    Private,
    /// RFC 6598 `100.64.0.0/10`, carrier-grade NAT.
    SharedAddressSpace,
    /// `169.254.0.0/16` (cloud metadata services live here), `fe80::/10`.
    LinkLocal,
    /// RFC 4193 `fc00::/7`.
    UniqueLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// Reserved, benchmarking, documentation and IETF protocol ranges, deprecated IPv6
    /// transition forms: nothing a certificate's URL has a reason to name.
    Reserved,
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::SharedAddressSpace => "shared (carrier-grade NAT)",
            Self::LinkLocal => "link-local",
            Self::UniqueLocal => "unique local",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Reserved => "reserved",
        })
    }
}

/// The special range `address` lies in, or `None` for a public unicast address. IPv6 forms
/// that carry an IPv4 address (mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4
/// `2002::/16`) are judged by the IPv4 address inside, so `::ffff:127.0.0.1` is loopback.
pub fn special(address: IpAddr) -> Option<Range> {
    match address {
        IpAddr::V4(v4) => special_v4(v4),
        IpAddr::V6(v6) => special_v6(v6),
    }
}

fn special_v4(address: Ipv4Addr) -> Option<Range> {
    let [a, b, c, _] = address.octets();
    Some(match (a, b, c) {
        (0, _, _) => Range::Unspecified,
        (127, _, _) => Range::Loopback,
        (10, _, _) | (192, 168, _) => Range::Private,
        (172, 16..=31, _) => Range::Private,
        (100, 64..=127, _) => Range::SharedAddressSpace,
        (169, 254, _) => Range::LinkLocal,
        (224..=239, _, _) => Range::Multicast,
        _ if address == Ipv4Addr::BROADCAST => Range::Broadcast,
        // 240/4 reserved; 192.0.0/24 IETF protocol assignments; 198.18/15 benchmarking;
        // 192.0.2/24, 198.51.100/24, 203.0.113/24 documentation.
        (240..=255, _, _)
        | (192, 0, 0)
        | (198, 18..=19, _)
        | (192, 0, 2)
        | (198, 51, 100)
        | (203, 0, 113) => Range::Reserved,
        _ => return None,
    })
}

fn special_v6(address: Ipv6Addr) -> Option<Range> {
    if let Some(v4) = address.to_ipv4_mapped() {
        return special_v4(v4);
    }
    let segments = address.segments();
    let embedded = |high: u16, low: u16| {
        let [h1, h2] = high.to_be_bytes();
        let [l1, l2] = low.to_be_bytes();
        Ipv4Addr::new(h1, h2, l1, l2)
    };
    Some(match segments {
        [0, 0, 0, 0, 0, 0, 0, 0] => Range::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => Range::Loopback,
        // IPv4-compatible addresses (deprecated by RFC 4291) and the rest of ::/96.
        [0, 0, 0, 0, 0, 0, _, _] => Range::Reserved,
        // NAT64 well-known prefix (RFC 6052): the IPv4 address decides; a public one is fine.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return special_v4(embedded(high, low)),
        // Local-use NAT64 (RFC 8215) translates into the local network.
        [0x64, 0xff9b, 1, ..] => Range::Private,
        // 6to4 (RFC 3056): the IPv4 address of the relay's far end.
        [0x2002, high, low, ..] => return special_v4(embedded(high, low)),
        // Teredo (RFC 4380) hides the client's address; documentation (RFC 3849); discard
        // (RFC 6666).
        [0x2001, 0, ..] | [0x2001, 0xdb8, ..] | [0x100, 0, 0, 0, ..] => Range::Reserved,
        [first, ..] if first & 0xfe00 == 0xfc00 => Range::UniqueLocal,
        [first, ..] if first & 0xffc0 == 0xfe80 => Range::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => Range::Private,
        [first, ..] if first & 0xff00 == 0xff00 => Range::Multicast,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Option<Range> {
        special(text.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "193.99.144.80",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.1.1",
            "223.255.255.255",
            "2a00:1450:4001:80b::200e",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "::ffff:8.8.8.8",
        ] {
            assert_eq!(range(public), None, "{public}");
        }
    }

    #[test]
    fn ipv4_special_ranges_are_named() {
        for (address, expected) in [
            ("0.0.0.0", Range::Unspecified),
            ("0.1.2.3", Range::Unspecified),
            ("127.0.0.1", Range::Loopback),
            ("127.255.255.254", Range::Loopback),
            ("10.0.0.1", Range::Private),
            ("172.16.0.1", Range::Private),
            ("172.31.255.255", Range::Private),
            ("192.168.1.1", Range::Private),
            ("100.64.0.1", Range::SharedAddressSpace),
            ("100.127.255.255", Range::SharedAddressSpace),
            ("169.254.169.254", Range::LinkLocal),
            ("224.0.0.1", Range::Multicast),
            ("239.255.255.250", Range::Multicast),
            ("255.255.255.255", Range::Broadcast),
            ("240.0.0.1", Range::Reserved),
            ("192.0.2.1", Range::Reserved),
            ("198.18.0.1", Range::Reserved),
        ] {
            assert_eq!(range(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv6_special_ranges_are_named() {
        for (address, expected) in [
            ("::", Range::Unspecified),
            ("::1", Range::Loopback),
            ("::127.0.0.1", Range::Reserved),
            ("fc00::1", Range::UniqueLocal),
            ("fd12:3456:789a::1", Range::UniqueLocal),
            ("fe80::1", Range::LinkLocal),
            ("febf::1", Range::LinkLocal),
            ("fec0::1", Range::Private),
            ("ff02::1", Range::Multicast),
            ("2001:db8::1", Range::Reserved),
            ("2001:0:4136:e378::1", Range::Reserved),
            ("64:ff9b:1::1", Range::Private),
        ] {
            assert_eq!(range(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_judged_as_ipv4() {
        assert_eq!(range("::ffff:127.0.0.1"), Some(Range::Loopback));
        assert_eq!(range("::ffff:10.1.2.3"), Some(Range::Private));
        assert_eq!(range("::ffff:169.254.169.254"), Some(Range::LinkLocal));
        assert_eq!(range("64:ff9b::7f00:1"), Some(Range::Loopback));
        assert_eq!(range("64:ff9b::a9fe:a9fe"), Some(Range::LinkLocal));
        assert_eq!(range("2002:7f00:1::1"), Some(Range::Loopback));
        assert_eq!(range("2002:c0a8:101::1"), Some(Range::Private));
    }
}
