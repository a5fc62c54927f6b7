package rewrite

import (
	"bytes"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact"
)

// rewritePprof redacts every string a profile carries — sample labels
// (where goroutine labels put request and tenant IDs), function and file
// names, mapping paths and comments — and writes it back gzipped, as Go
// writes profiles.
func rewritePprof(e *redact.Engine, data []byte) (out, scan []byte, err error) {
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	var text bytes.Buffer
	see := func(s string) string { text.WriteString(s); text.WriteByte('\n'); return s }
	for _, s := range p.Sample {
		for k, vs := range s.Label {
			for i, v := range vs {
				vs[i] = see(redactLabel(e, k, v))
			}
		}
	}
	for _, f := range p.Function {
		f.Name = see(e.RedactText(f.Name))
		f.SystemName = see(e.RedactText(f.SystemName))
		f.Filename = see(e.RedactText(f.Filename))
	}
	for _, m := range p.Mapping {
		m.File = see(e.RedactText(m.File))
	}
	for i, c := range p.Comments {
		p.Comments[i] = see(e.RedactText(c))
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), text.Bytes(), nil
}

// redactLabel applies the field rules to a label as to the attribute of
// the same name; a dropped label keeps its key with an empty value, since
// pprof label sets are positional.
func redactLabel(e *redact.Engine, key, v string) string {
	out, keep := e.RedactAttr("", key, epg.String(v))
	if !keep {
		return ""
	}
	return out.AsString()
}
