// Package redacttest generates corpora of fake but realistic secrets, PII
// and benign text for testing the redactor and everything downstream of
// it. Values are generated at test time from each provider's prefix,
// alphabet, length and checksum, so the repository itself holds nothing a
// secret scanner would flag.
package redacttest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The corpora are generated at test time from random bytes with each
// provider's prefix, alphabet, length and checksum, so the repository
// itself holds nothing a secret scanner would flag.

const (
	abUpper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	abAlnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	abB64     = abAlnum + "+/"
	abB64URL  = abAlnum + "_-"
	abHex     = "0123456789abcdef"
	abLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	abDigits  = "0123456789"
	abLowerN  = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// Gen generates corpora from a seeded random source.
type Gen struct{ r *rand.Rand }

// NewGen returns a generator; equal seeds give equal corpora.
func NewGen(seed uint64) *Gen { return &Gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g *Gen) s(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// mixed is like s but guarantees at least one digit and one letter, as
// generated keys of that length have in practice.
func (g *Gen) mixed(alphabet string, n int) string {
	for {
		v := g.s(alphabet, n)
		if strings.ContainsAny(v, abDigits) && strings.ContainsAny(v, abLetters) {
			return v
		}
	}
}

func (g *Gen) b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (g *Gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return b
}

// Plant is a secret and the text that carries it where it lives in the
// wild (an env line, a header, a JSON field, a bare token).
type Plant struct {
	Provider string
	Secret   string // what must not survive
	Phrase   string // how it appears
}

func bare(p, s string) Plant { return Plant{p, s, s} }

// Secrets returns one fake secret per provider format, each in the
// phrase that carries it in the wild.
func (g *Gen) Secrets() []Plant { return finishPlants(g.secretPlants()) }

func (g *Gen) secretPlants() []Plant {
	ghBody := func() string { return g.mixed(abAlnum, 36) }
	jwtHdr := g.b64url([]byte(fmt.Sprintf(`{"alg":"RS256","kid":"%s","typ":"JWT"}`, g.s(abLowerN, 8))))
	jwtBody := g.b64url([]byte(fmt.Sprintf(`{"sub":"%s","aud":"api","exp":%d}`, g.s(abLowerN, 12), 1780000000+g.r.IntN(1e6))))
	jwt := jwtHdr + "." + jwtBody + "." + g.b64url(g.bytes(64))
	pemBody := strings.Join([]string{g.s(abB64, 64), g.s(abB64, 64), g.s(abB64, 64), g.s(abB64, 40)}, "\n")
	pem := "-----BEGIN RSA PRIVATE KEY-----\n" + pemBody + "\n-----END RSA PRIVATE KEY-----"
	gcpKey := strings.ReplaceAll("-----BEGIN PRIVATE KEY-----\n"+pemBody+"\n-----END PRIVATE KEY-----\n", "\n", `\n`)
	keyID := g.s(abHex, 40)
	discordID := fmt.Sprint(100000000000000000 + g.r.Int64N(800000000000000000))
	discord := base64.RawStdEncoding.EncodeToString([]byte(discordID)) + "." + g.s(abB64URL, 6) + "." + g.s(abB64URL, 38)
	pw := g.mixed(abAlnum+"!#%^*", 14)
	slackPath := "T" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/B" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/" + g.s(abAlnum, 24)
	discordPath := discordID + "/" + g.s(abB64URL, 68)
	return []Plant{
		bare("aws-access-key-id", "AKIA"+g.s(abUpper32, 16)),
		{"aws-secret-access-key", g.s(abB64, 40), ""},
		bare("github-pat", "ghp_"+ghBody()),
		bare("github-oauth", "gho_"+ghBody()),
		bare("github-app", "ghs_"+ghBody()),
		bare("github-fine-grained", "github_pat_"+g.s(abAlnum, 22)+"_"+g.s(abAlnum, 59)),
		bare("gitlab-pat", "glpat-"+g.s(abB64URL, 20)),
		bare("gitlab-runner", "glrt-"+g.s(abB64URL, 20)),
		bare("slack-bot", "xoxb-"+g.s(abDigits, 12)+"-"+g.s(abDigits, 13)+"-"+g.s(abAlnum, 24)),
		{"slack-webhook", slackPath, "https://hooks.slack.com/services/" + slackPath},
		bare("stripe-live", "sk_live_"+g.s(abAlnum, 24)),
		bare("stripe-restricted", "rk_live_"+g.s(abAlnum, 24)),
		bare("google-api-key", "AIza"+g.s(abB64URL, 35)),
		bare("google-oauth-secret", "GOCSPX-"+g.s(abB64URL, 28)),
		{"gcp-service-account", pemBody, `{"type":"service_account","project_id":"acme-prod","private_key_id":"` + keyID + `","private_key":"` + gcpKey + `"}`},
		{"azure-storage-key", g.s(abB64, 86) + "==", ""},
		{"azure-sas", g.s(abB64URL, 43), ""},
		bare("azure-ad-secret", g.s(abAlnum, 3)+g.s(abDigits, 1)+"Q~"+g.s(abB64URL, 34)),
		bare("twilio-api-key", "SK"+g.s(abHex, 32)),
		bare("sendgrid", "SG."+g.s(abB64URL, 22)+"."+g.s(abB64URL, 43)),
		bare("mailgun", "key-"+g.s(abHex, 32)),
		bare("mailchimp", g.s(abHex, 32)+"-us"+fmt.Sprint(1+g.r.IntN(20))),
		bare("npm", "npm_"+g.mixed(abAlnum, 36)),
		bare("pypi", "pypi-AgEIcHlwaS5vcmc"+g.s(abB64URL, 70)),
		bare("docker-hub", "dckr_pat_"+g.s(abB64URL, 27)),
		bare("heroku", "HRKU-AA"+g.s(abB64URL, 58)),
		bare("digitalocean", "dop_v1_"+g.s(abHex, 64)),
		bare("shopify", "shpat_"+g.s(abHex, 32)),
		bare("square", "EAAA"+g.s(abB64URL, 60)),
		bare("square-oauth", "sq0csp-"+g.s(abB64URL, 43)),
		bare("braintree", "access_token$production$"+g.s(abLowerN, 16)+"$"+g.s(abHex, 32)),
		{"datadog", g.s(abHex, 32), ""},
		bare("newrelic", "NRAK-"+g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 27)),
		bare("openai-project", "sk-proj-"+g.s(abB64URL, 74)+"T3BlbkFJ"+g.s(abB64URL, 74)),
		bare("openai-legacy", "sk-"+g.s(abAlnum, 20)+"T3BlbkFJ"+g.s(abAlnum, 20)),
		bare("anthropic", "sk-ant-api03-"+g.s(abB64URL, 93)+"AA"),
		bare("huggingface", "hf_"+g.s(abLetters, 34)),
		bare("discord-bot", discord),
		{"discord-webhook", discordPath, "https://discord.com/api/webhooks/" + discordPath},
		bare("telegram", fmt.Sprint(100000000+g.r.IntN(899999999))+":AA"+g.s(abB64URL, 33)),
		bare("atlassian", "ATATT3"+g.s(abB64URL, 186)),
		{"okta", "00" + g.s(abB64URL, 40), ""},
		bare("vault", "hvs."+g.s(abB64URL, 90)),
		bare("terraform", g.s(abAlnum, 14)+".atlasv1."+g.s(abB64URL, 67)),
		bare("databricks", "dapi"+g.s(abHex, 32)),
		bare("postman", "PMAK-"+g.s(abHex, 24)+"-"+g.s(abHex, 34)),
		{"sentry-dsn", g.s(abHex, 32), ""},
		bare("jwt", jwt),
		{"pem-private-key", pemBody, pem},
		{"postgres-url", pw, ""},
		{"mongodb-srv", g.mixed(abAlnum, 16), ""},
		{"redis-url", g.mixed(abAlnum, 20), ""},
		{"password-kv", pw, "password=" + pw},
		{"yaml-secret", g.mixed(abAlnum, 32), ""},
		{"json-api-key", g.mixed(abAlnum, 32), ""},
		bare("linear", "lin_api_"+g.s(abAlnum, 40)),
		bare("grafana-sa", "glsa_"+g.s(abAlnum, 32)+"_"+g.s(abHex, 8)),
		bare("age", "AGE-SECRET-KEY-1"+g.s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
		bare("supabase", "sbp_"+g.s(abHex, 40)),
		bare("doppler", "dp.st."+g.s(abAlnum, 40)),
		bare("high-entropy-opaque", g.mixed(abAlnum, 40)),
	}
}

// finish fills the phrases that need the secret inside a larger shape.
func finishPlants(ps []Plant) []Plant {
	for i := range ps {
		p := &ps[i]
		if p.Phrase != "" {
			continue
		}
		switch p.Provider {
		case "aws-secret-access-key":
			p.Phrase = "AWS_SECRET_ACCESS_KEY=" + p.Secret
		case "azure-storage-key":
			p.Phrase = "DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=" + p.Secret + ";EndpointSuffix=core.windows.net"
		case "azure-sas":
			p.Phrase = "https://acmeprod.blob.core.windows.net/exports/q3.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-05-01T00:00:00Z&sig=" + p.Secret + "%3D"
		case "datadog":
			p.Phrase = "DD_API_KEY=" + p.Secret
		case "okta":
			p.Phrase = "Authorization: SSWS " + p.Secret
		case "sentry-dsn":
			p.Phrase = "https://" + p.Secret + "@o4504213.ingest.sentry.io/4504213"
		case "postgres-url":
			p.Phrase = "postgres://orders_app:" + p.Secret + "@db-primary.internal:5432/orders?sslmode=require"
		case "mongodb-srv":
			p.Phrase = "mongodb+srv://svc_reader:" + p.Secret + "@cluster0.ab1cd.mongodb.net/prod"
		case "redis-url":
			p.Phrase = "redis://:" + p.Secret + "@cache-0.cache:6379/0"
		case "yaml-secret":
			p.Phrase = "client_secret: " + p.Secret
		case "json-api-key":
			p.Phrase = `{"api_key": "` + p.Secret + `", "region": "eu-west-1"}`
		}
	}
	return ps
}

// Contexts plant a phrase where decoders put text: attribute values, log
// bodies, exception messages, stack traces, URLs and headers. Key is the
// attribute the text would land in.
var Contexts = []struct {
	Key  string
	Wrap func(phrase string) string
}{
	{"app.config", func(p string) string { return p }},
	{"log.body", func(p string) string {
		return `2026-03-14T09:26:53.589Z ERROR [http-nio-8080-exec-7] c.a.o.PaymentClient - upstream call failed after 3 retries, ` + p + ` (took 1532ms)`
	}},
	{"exception.message", func(p string) string { return "java.lang.IllegalStateException: cannot authenticate with " + p }},
	{"exception.stacktrace", func(p string) string {
		return "Traceback (most recent call last):\n  File \"/srv/app/client.py\", line 88, in call\n    resp = session.post(url, headers=hdrs)\nRuntimeError: request rejected for " + p + "\n"
	}},
	{"url.full", func(p string) string { return "https://api.partner.io/v2/orders?limit=50&note=" + p }},
	{"http.request.header.x-debug", func(p string) string { return p }},
}

// PII returns fake PII with valid checksums.
func (g *Gen) PII() []Plant {
	return []Plant{
		bare("email", g.s("abcdefghijklmnopqrstuvwxyz", 6)+"."+g.s("abcdefghijklmnopqrstuvwxyz", 7)+"@"+g.s("abcdefghijklmnopqrstuvwxyz", 8)+".com"),
		bare("phone-e164", "+1415"+fmt.Sprint(2000000+g.r.IntN(7999999))),
		bare("phone-nanp", fmt.Sprintf("(%d) %d-%04d", 200+g.r.IntN(799), 200+g.r.IntN(799), g.r.IntN(10000))),
		bare("phone-uk", fmt.Sprintf("020 %d %04d", 7000+g.r.IntN(2999), g.r.IntN(10000))),
		bare("ipv4", fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(100), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))),
		bare("ipv6", fmt.Sprintf("2a02:%x:%x::%x", 1+g.r.IntN(0xfff), g.r.IntN(0xffff), 1+g.r.IntN(0xffff))),
		bare("card", g.card()),
		bare("iban", g.iban()),
		bare("ssn", fmt.Sprintf("%03d-%02d-%04d", 1+g.r.IntN(664), 1+g.r.IntN(98), 1+g.r.IntN(9998))),
		bare("nino", "AB"+g.s(abDigits, 6)+"C"),
	}
}

func (g *Gen) card() string {
	d := []byte("4" + g.s(abDigits, 14))
	for c := byte('0'); c <= '9'; c++ {
		if luhnSum(append(d, c))%10 == 0 {
			s := string(append(d, c))
			return s[:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:]
		}
	}
	panic("unreachable")
}

func (g *Gen) iban() string {
	bban := g.s(abDigits, 18)
	for ck := 2; ck < 99; ck++ {
		s := fmt.Sprintf("DE%02d%s", ck, bban)
		if ibanMod97(s) == 1 {
			return s
		}
	}
	panic("unreachable")
}

// Benign returns n lines of text that must not be reported: IDs, digests,
// prose, code, stack frames, timestamps, versions.
func (g *Gen) Benign(n int) []string {
	makers := []func() string{
		func() string { return "trace_id=" + g.s(abHex, 32) + " span_id=" + g.s(abHex, 16) + " sampled=true" },
		func() string { return "traceparent: 00-" + g.s(abHex, 32) + "-" + g.s(abHex, 16) + "-01" },
		func() string {
			u := g.s(abHex, 32)
			return "request " + u[:8] + "-" + u[8:12] + "-4" + u[13:16] + "-a" + u[17:20] + "-" + u[20:] + " completed in " + fmt.Sprint(g.r.IntN(900)) + "ms"
		},
		func() string { return "commit " + g.s(abHex, 40) + " (HEAD -> main, origin/main)" },
		func() string { return "image: registry.acme.io/checkout@sha256:" + g.s(abHex, 64) },
		func() string { return "artifact sha1 " + g.s(abHex, 40) + " verified" },
		func() string { return "Digest: sha-256=" + base64.StdEncoding.EncodeToString(g.bytes(32)) },
		func() string { return `"integrity": "sha512-` + base64.StdEncoding.EncodeToString(g.bytes(64)) + `"` },
		func() string {
			return "payload digest=" + base64.StdEncoding.EncodeToString(g.bytes(32)) + " size=" + fmt.Sprint(g.r.IntN(99999))
		},
		func() string { return "etag: W/\"" + g.s(abHex, 32) + "\"" },
		func() string {
			return []string{"The order could not be completed because the inventory service timed out.",
				"Retrying connection to the upstream database after a transient failure.",
				"User session expired; redirecting to the login page.",
				"Scheduled job finished: 1204 records processed, 3 skipped, 0 failed.",
				"Cache miss for key product:9921, loading from the primary store.",
				"Received SIGTERM, draining 12 in-flight requests before shutdown.",
				"invalid token: signature expired at 2026-03-14T09:00:00Z",
				"password reset email queued for delivery",
				"secret rotation completed for 4 services",
			}[g.r.IntN(9)]
		},
		func() string {
			return "\tat com.acme.orders.OrderService.placeOrder(OrderService.java:" + fmt.Sprint(10+g.r.IntN(900)) + ")"
		},
		func() string {
			return "goroutine " + fmt.Sprint(g.r.IntN(9999)) + " [chan receive, " + fmt.Sprint(g.r.IntN(59)) + " minutes]:\nmain.(*Server).handle(0xc000" + g.s(abHex, 6) + ", 0x" + g.s(abHex, 6) + ")\n\t/src/app/server.go:" + fmt.Sprint(g.r.IntN(400)) + " +0x" + g.s(abHex, 3)
		},
		func() string {
			return "  File \"/usr/lib/python3.11/site-packages/requests/adapters.py\", line " + fmt.Sprint(g.r.IntN(700)) + ", in send"
		},
		func() string {
			return "if err := s.store.Put(ctx, key, value); err != nil { return fmt.Errorf(\"put %s: %w\", key, err) }"
		},
		func() string {
			return "final Map<String, List<OrderLine>> linesByWarehouse = new HashMap<>(initialCapacity);"
		},
		func() string { return "2026-03-14T09:26:53." + g.s(abDigits, 9) + "Z INFO started in 2.31s" },
		func() string { return "ts=" + fmt.Sprint(1760000000000+g.r.Int64N(1e11)) + " level=info msg=\"tick\"" },
		func() string {
			return "go: downloading golang.org/x/net v0.60.0-" + fmt.Sprint(20250000000000+g.r.Int64N(999999999)) + "-" + g.s(abHex, 12)
		},
		func() string {
			return "version=" + fmt.Sprintf("%d.%d.%d", g.r.IntN(5), g.r.IntN(30), g.r.IntN(20)) + " build=" + g.s(abHex, 7) + " go1.26.8"
		},
		func() string {
			return "pod=checkout-" + g.s("bcdfghjklmnpqrstvwxz2456789", 10) + "-" + g.s("bcdfghjklmnpqrstvwxz2456789", 5) + " node=ip-10-0-1-23.ec2.internal"
		},
		func() string {
			return "GET /api/v1/orders/" + fmt.Sprint(g.r.IntN(999999)) + "/items?page=2&sort=created_at HTTP/1.1 200"
		},
		func() string {
			return "SELECT o.id, o.total FROM orders o WHERE o.customer_id = $1 AND o.status = $2 LIMIT 50"
		},
		func() string { return "listening on 127.0.0.1:8080 and [::1]:8080; metrics on 0.0.0.0:9090" },
		func() string {
			return "duration=" + fmt.Sprint(g.r.IntN(5000)) + "ms bytes=" + fmt.Sprint(g.r.IntN(1<<20)) + " status=200 retries=0"
		},
		func() string {
			return "kafka offset " + fmt.Sprint(g.r.Int64N(1e12)) + " partition " + fmt.Sprint(g.r.IntN(64)) + " lag " + fmt.Sprint(g.r.IntN(999))
		},
		func() string {
			return "java.lang.NullPointerException: Cannot invoke \"com.acme.Cart.total()\" because \"cart\" is null"
		},
		func() string {
			return "0x" + g.s(abHex, 12) + " in runtime.gopark at /usr/local/go/src/runtime/proc.go:424"
		},
		func() string {
			return "user_id=" + fmt.Sprint(g.r.IntN(9999999)) + " tenant=acme-" + g.s("abcdefghijklmnopqrstuvwxyz", 5) + " plan=enterprise"
		},
		func() string {
			return "reading config from /etc/acme/service.yaml (mtime 2026-03-01 10:00:00 +0000 UTC)"
		},
		func() string {
			return "build " + g.s(abHex, 64) + " signed by key id " + strings.ToUpper(g.s(abHex, 16))
		},
		func() string { return "span " + g.s(abHex, 16) + " parent " + g.s(abHex, 16) + " duration 12.5ms" },
		func() string {
			return "open /tmp/TestIngestFiles" + g.s(abDigits, 10) + "/00" + g.s(abDigits, 1) + "/traces.json: no such file or directory"
		},
	}
	out := make([]string, n)
	for i := range out {
		out[i] = makers[i%len(makers)]()
	}
	return out
}

func hexID(g *Gen, n int) string { return hex.EncodeToString(g.bytes(n / 2)) }

// luhnSum is the Luhn checksum of the digits: a valid card number's is a
// multiple of ten.
func luhnSum(d []byte) int {
	sum := 0
	for i := range d {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum
}

// ibanMod97 is ISO 13616's check: the IBAN with its first four characters
// moved to the end and letters as 10..35, modulo 97; valid IBANs give 1.
func ibanMod97(s string) int {
	r := s[4:] + s[:4]
	m := 0
	for i := 0; i < len(r); i++ {
		c := r[i]
		if c >= 'A' && c <= 'Z' {
			m = (m*100 + int(c-'A'+10)) % 97
		} else {
			m = (m*10 + int(c-'0')) % 97
		}
	}
	return m
}
