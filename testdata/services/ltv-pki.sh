#!/usr/bin/env bash
# A throw-away PKI for long-term validation tests, made fresh per test run because its
# certificates name the loopback ports of the services the test starts:
#   AIA OCSP   -> http://127.0.0.1:$OCSP_PORT          (openssl ocsp over the issuing CA's index)
#   AIA issuers, CRL distribution points -> http://127.0.0.1:$HTTP_PORT/*.der|*.crl
# Usage: ltv-pki.sh DIR HTTP_PORT OCSP_PORT
set -euo pipefail
DIR=$1 HTTP=$2 OCSP=$3
mkdir -p "$DIR/www" "$DIR/root" "$DIR/issuing"
cd "$DIR"
for ca in root issuing; do
    mkdir -p "$ca/new"
    : > "$ca/index.txt"
    echo 1000 > "$ca/serial"
    echo 1000 > "$ca/crlnumber"
done

cat > openssl.cnf <<CNF
[ ca ]
default_ca = issuing
[ root ]
dir = $DIR/root
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $DIR/root.pem
private_key = $DIR/root.key
default_md = sha256
default_crl_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[ issuing ]
dir = $DIR/issuing
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $DIR/issuing.pem
private_key = $DIR/issuing.key
default_md = sha256
default_crl_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
organizationIdentifier = optional
commonName = supplied
[ req ]
distinguished_name = dn
string_mask = utf8only
[ dn ]
[ ext_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_issuing ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = caIssuers;URI:http://127.0.0.1:$HTTP/root.der
crlDistributionPoints = URI:http://127.0.0.1:$HTTP/root.crl
[ ext_leaf_common ]
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSP, caIssuers;URI:http://127.0.0.1:$HTTP/issuing.der
crlDistributionPoints = URI:http://127.0.0.1:$HTTP/issuing.crl
[ ext_seal ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSP, caIssuers;URI:http://127.0.0.1:$HTTP/issuing.der
crlDistributionPoints = URI:http://127.0.0.1:$HTTP/issuing.crl
1.3.6.1.5.5.7.1.3 = ASN1:SEQUENCE:qcs
[ ext_tsa ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSP, caIssuers;URI:http://127.0.0.1:$HTTP/issuing.der
crlDistributionPoints = URI:http://127.0.0.1:$HTTP/issuing.crl
[ ext_ocsp ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ qcs ]
compliance = SEQUENCE:qc_compliance
type = SEQUENCE:qc_type
[ qc_compliance ]
id = OID:0.4.0.1862.1.1
[ qc_type ]
id = OID:0.4.0.1862.1.6
info = SEQUENCE:qc_types
[ qc_types ]
eseal = OID:0.4.0.1862.1.6.2
CNF
export OPENSSL_CONF=$DIR/openssl.cnf

key() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
issue() { # issue CA NAME SUBJECT EXT
    key "$2.key"
    openssl req -new -key "$2.key" -subj "$3" -out "$2.csr"
    openssl ca -batch -notext -name "$1" -in "$2.csr" -out "$2.pem" -extensions "$4" \
        -startdate 20250101000000Z -enddate 20400101000000Z 2>/dev/null
}

key root.key
openssl req -new -key root.key -subj "/C=DE/O=Fremde Test-PKI/CN=Fremde Wurzel" -out root.csr
openssl ca -batch -notext -name root -selfsign -keyfile root.key -in root.csr -out root.pem \
    -extensions ext_root -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
issue root issuing "/C=DE/O=Fremde Test-PKI/CN=Fremde Ausgabestelle" ext_issuing
issue issuing seal "/C=DE/O=Landkreis Beispiel/organizationIdentifier=VATDE-987654321/CN=Landkreis Beispiel Siegel" ext_seal
issue issuing revoked "/C=DE/O=Landkreis Beispiel/CN=Landkreis Beispiel Siegel (gesperrt)" ext_seal
issue issuing tsa "/C=DE/O=Fremde Test-PKI/CN=Fremder Zeitstempeldienst" ext_tsa
issue issuing ocsp "/C=DE/O=Fremde Test-PKI/CN=Fremder OCSP-Dienst" ext_ocsp
openssl ca -name issuing -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null

cat issuing.pem root.pem > chain.pem
openssl pkcs12 -export -inkey seal.key -in seal.pem -certfile chain.pem -passout pass:ltv-demo -out seal.p12
openssl pkcs12 -export -inkey revoked.key -in revoked.pem -certfile chain.pem -passout pass:ltv-demo -out revoked.p12
openssl ca -name root -gencrl -out root.crl.pem 2>/dev/null
openssl ca -name issuing -gencrl -out issuing.crl.pem 2>/dev/null
openssl crl -in root.crl.pem -outform DER -out www/root.crl
openssl crl -in issuing.crl.pem -outform DER -out www/issuing.crl
openssl x509 -in root.pem -outform DER -out www/root.der
openssl x509 -in issuing.pem -outform DER -out www/issuing.der
