package causality

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// RPC is one call between services, checked against the order causality
// demands: the request is sent before the server receives it, and the
// server replies before the client receives the reply.
type RPC struct {
	Client string `json:"client"` // span node IDs
	Server string `json:"server"`
	// Send orders the client's start and the server's start; Reply the
	// server's end and the client's end (not checked for one-way
	// messages: producer → consumer).
	Send  Ordering  `json:"send"`
	Reply *Ordering `json:"reply,omitempty"`
	// Violated is true when the corrected times put a step in the wrong
	// order (After); the clocks are worse than their estimates say.
	Violated bool `json:"violated,omitempty"`
	// Corrected is true when the raw times violated causality and the
	// correction fixed it.
	Corrected bool `json:"corrected,omitempty"`
	// Unfit is true when the server span lasts longer than the client's:
	// no clock offset can put it inside, so a violation is not (only) a
	// clock's fault; the server went on working after it replied, or the
	// two are not one synchronous call.
	Unfit bool `json:"unfit,omitempty"`
}

// RPCReport lists the graph's cross-service calls: violations first, then
// the ones the correction fixed, then by client and server ID.
type RPCReport struct {
	RPCs      []RPC `json:"rpcs"`
	Omitted   int   `json:"omitted,omitempty"`
	Violated  int   `json:"violated"`
	Corrected int   `json:"corrected"`
	Unfit     int   `json:"unfit"`
}

// RPCs checks every call edge from a client (or producer) span to a
// server (or consumer) span of another service.
func (c *Clock) RPCs() *RPCReport {
	out := []RPC{}
	g := c.g
	g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		kind := n.Attrs.Str(epg.AttrSpanKind)
		if kind != "client" && kind != "producer" {
			return true
		}
		for _, s := range g.Children(i, epg.EdgeCall) {
			sn := g.Node(s)
			if sk := sn.Attrs.Str(epg.AttrSpanKind); sn.Kind == epg.KindSpan && sn.Service != n.Service &&
				(sk == "server" || sk == "consumer") {
				if r, ok := c.rpc(n, sn, kind == "client"); ok {
					out = append(out, r)
				}
			}
		}
		return true
	})
	r := &RPCReport{}
	for _, x := range out {
		r.Violated += b2i(x.Violated)
		r.Corrected += b2i(x.Corrected)
		r.Unfit += b2i(x.Unfit)
	}
	slices.SortFunc(out, rpcRank)
	r.RPCs, r.Omitted = out, 0
	if len(out) > c.opt.MaxRPCs {
		r.RPCs, r.Omitted = out[:c.opt.MaxRPCs], len(out)-c.opt.MaxRPCs
	}
	return r
}

func (c *Clock) rpc(client, server *epg.Node, reply bool) (RPC, bool) {
	send, err := c.Order(Instant{Node: client.ID}, Instant{Node: server.ID})
	if err != nil {
		return RPC{}, false
	}
	r := RPC{Client: client.ID, Server: server.ID, Send: send, Unfit: reply && server.Duration() > client.Duration()}
	rawBad := send.RawRelation == After
	r.Violated = send.Relation == After
	if reply {
		o, err := c.Order(Instant{Node: server.ID, End: true}, Instant{Node: client.ID, End: true})
		if err == nil {
			r.Reply = &o
			rawBad = rawBad || o.RawRelation == After
			r.Violated = r.Violated || o.Relation == After
		}
	}
	r.Corrected = rawBad && !r.Violated && !c.opt.NoSkew
	return r, true
}

func rpcRank(a, b RPC) int {
	if a.Violated != b.Violated {
		return -cmp.Compare(b2i(a.Violated), b2i(b.Violated))
	}
	if a.Corrected != b.Corrected {
		return -cmp.Compare(b2i(a.Corrected), b2i(b.Corrected))
	}
	if c := strings.Compare(a.Client, b.Client); c != 0 {
		return c
	}
	return strings.Compare(a.Server, b.Server)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
