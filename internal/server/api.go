package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/store"
)

// The read API (`tag serve --http`): JSON views of what the store holds.
// Every response body passes the egress guard before it is written; one
// that still carries a detected secret is withheld and audited.
//
//	GET /api/v1/incidents        the incident list, as `tag incidents --json`
//	GET /api/v1/incidents/{id}   one incident, as `tag show ID --json`
//	GET /api/v1/artifacts        stored artifacts and their policy versions
func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) {
		ins, err := s.pipeline.Store.Incidents(r.Context())
		s.answer(w, r, ins, err)
	})
	mux.HandleFunc("GET /api/v1/incidents/{id}", func(w http.ResponseWriter, r *http.Request) {
		v, err := inspect.Load(r.Context(), s.pipeline.Store, r.PathValue("id"))
		s.answer(w, r, v, err)
	})
	mux.HandleFunc("GET /api/v1/artifacts", func(w http.ResponseWriter, r *http.Request) {
		arts, err := s.pipeline.Store.Artifacts(r.Context())
		s.answer(w, r, arts, err)
	})
	return mux
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

// answer writes v as JSON, or the error, after the egress guard.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	status := http.StatusOK
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, v = http.StatusNotFound, apiError{s.scrub(err.Error())}
	case errors.Is(err, store.ErrAmbiguous):
		status, v = http.StatusBadRequest, apiError{s.scrub(err.Error())}
	case err != nil:
		s.log.Error("api request failed", "path", r.URL.Path, "error", s.scrub(err.Error()))
		status, v = http.StatusInternalServerError, apiError{"internal error"}
	}
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding the response failed"}`)
	}
	if g := s.guard(); g != nil {
		if err := g.Check(body, "api "+r.URL.Path); err != nil {
			s.log.Error("api response withheld by the egress guard", "path", r.URL.Path, "error", err.Error())
			status, body = http.StatusInternalServerError, []byte(`{"error":"response withheld: it still carried sensitive values (see the egress audit log)"}`)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// guard is the configured egress guard, else one made from the
// pipeline's redaction engine, else nil (no engine: nothing to scan with).
func (s *Server) guard() *redact.Guard {
	if s.Guard != nil {
		return s.Guard
	}
	if e, ok := s.pipeline.Redactor.(*redact.Engine); ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.defGuard == nil {
			s.defGuard = redact.NewGuard(e, nil)
		}
		return s.defGuard
	}
	return nil
}

// scrub passes text bound for a client or the log through the redactor:
// decoder errors and rejection reasons quote the evidence they refuse.
func (s *Server) scrub(text string) string {
	if t, ok := s.pipeline.Redactor.(interface{ RedactText(string) string }); ok && strings.TrimSpace(text) != "" {
		return t.RedactText(text)
	}
	return text
}
