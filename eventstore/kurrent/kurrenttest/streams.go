package kurrenttest

import (
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// streamsService is the Streams service: Append and Read.
type streamsService struct {
	streams.UnimplementedStreamsServer
	s *Server
}

// Append takes the options, then the proposed events, and writes them at
// once when the client closes its side, if the expected revision holds.
func (svc streamsService) Append(srv streams.Streams_AppendServer) error {
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first message of an append must carry its options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	var records []*Record
	for {
		msg, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p := msg.GetProposedMessage()
		if p == nil {
			return status.Error(codes.InvalidArgument, "an append carries its options once, then events")
		}
		id, err := protoID(p.GetId())
		if err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		records = append(records, &Record{
			ID: id, Type: p.GetMetadata()["type"], ContentType: p.GetMetadata()["content-type"],
			Data: p.GetData(), Metadata: p.GetCustomMetadata(),
		})
	}

	s := svc.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.passing[stream] > 0 {
		s.passing[stream]--
	} else if s.failing[stream] > 0 {
		s.failing[stream]--
		return status.Error(codes.Internal, "kurrenttest: this append fails, as asked (FailAppends)")
	}
	last, exists := s.lastRevision(stream)
	if wrong := checkExpected(opts, last, exists); wrong != nil {
		return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: wrong}})
	}
	if len(records) == 0 {
		success := &streams.AppendResp_Success{PositionOption: &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}}
		if exists {
			success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last}
		} else {
			success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		}
		return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
	}
	s.appendLocked(stream, records)
	if s.losing[stream] > 0 {
		s.losing[stream]--
		return status.Error(codes.Internal, "kurrenttest: this append was written and its answer lost, as asked (LoseAnswers)")
	}
	end := records[len(records)-1]
	return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: end.Revision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: end.Commit, PreparePosition: end.Prepare,
		}},
	}}})
}

// checkExpected is nil when a stream at last (exists) satisfies the
// append's expected revision, else the server's answer.
func checkExpected(opts *streams.AppendReq_Options, last uint64, exists bool) *streams.AppendResp_WrongExpectedVersion {
	wrong := &streams.AppendResp_WrongExpectedVersion{}
	if exists {
		wrong.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: last}
	} else {
		wrong.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
	}
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_Any:
		return nil
	case *streams.AppendReq_Options_NoStream:
		if !exists {
			return nil
		}
		wrong.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case *streams.AppendReq_Options_StreamExists:
		if exists {
			return nil
		}
		wrong.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case *streams.AppendReq_Options_Revision:
		if exists && last == e.Revision {
			return nil
		}
		wrong.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.Revision}
	default:
		return nil // KurrentDB treats a missing expectation as any
	}
	return wrong
}

func protoID(id *shared.UUID) (uuid.UUID, error) {
	if st := id.GetStructured(); st != nil {
		return uuidFromBits(st.GetMostSignificantBits(), st.GetLeastSignificantBits()), nil
	}
	return uuid.Parse(id.GetString_())
}

// Read answers a read of a stream or of $all with the records asked for,
// then ends the call. Subscriptions and filters are not offered.
func (svc streamsService) Read(req *streams.ReadReq, srv streams.Streams_ReadServer) error {
	opts := req.GetOptions()
	if opts.GetSubscription() != nil {
		return status.Error(codes.Unimplemented, "kurrenttest: subscriptions are not offered by the test double")
	}
	if opts.GetFilter() != nil {
		return status.Error(codes.Unimplemented, "kurrenttest: filtered reads are not offered by the test double")
	}
	backwards := opts.GetReadDirection() == streams.ReadReq_Options_Backwards
	count := opts.GetCount()

	s := svc.s
	s.mu.Lock()
	var page []*Record
	switch {
	case opts.GetStream() != nil:
		so := opts.GetStream()
		name := string(so.GetStreamIdentifier().GetStreamName())
		records := s.streams[name]
		if len(records) == 0 {
			s.mu.Unlock()
			return srv.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			}}})
		}
		page = pick(records, count, backwards, func(r *Record) int {
			switch o := so.GetRevisionOption().(type) {
			case *streams.ReadReq_Options_StreamOptions_Revision:
				return compare(r.Revision, o.Revision)
			case *streams.ReadReq_Options_StreamOptions_End:
				return -1
			default:
				return 1
			}
		})
	case opts.GetAll() != nil:
		ao := opts.GetAll()
		page = pick(s.all, count, backwards, func(r *Record) int {
			switch o := ao.GetAllOption().(type) {
			case *streams.ReadReq_Options_AllOptions_Position:
				return compare(r.Commit, o.Position.GetCommitPosition())
			case *streams.ReadReq_Options_AllOptions_End:
				return -1
			default:
				return 1
			}
		})
	default:
		s.mu.Unlock()
		return status.Error(codes.InvalidArgument, "a read names a stream or $all")
	}
	out := make([]*streams.ReadResp, len(page))
	for i, r := range page {
		out[i] = toProto(r)
	}
	s.mu.Unlock()
	for _, msg := range out {
		if err := srv.Send(msg); err != nil {
			return err
		}
	}
	return nil
}

func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// pick reads ordered records from a starting point: cmp tells where a
// record lies against it (-1 before, 0 at, 1 after). Forwards it takes the
// records at or after the point, backwards those at or before it, up to
// count. (The store reads $all backwards only from the end.)
func pick(records []*Record, count uint64, backwards bool, cmp func(*Record) int) []*Record {
	var out []*Record
	if !backwards {
		for _, r := range records {
			if uint64(len(out)) == count {
				break
			}
			if cmp(r) >= 0 {
				out = append(out, r)
			}
		}
		return out
	}
	for i := len(records) - 1; i >= 0; i-- {
		if uint64(len(out)) == count {
			break
		}
		if cmp(records[i]) <= 0 {
			out = append(out, records[i])
		}
	}
	return out
}
