// Command goparse is the browser benchmark's native peer for goroutine
// dumps (issue 15): a plain Go parser of a debug=2 dump that only parses.
// It reads the file line by line (through the inflater when it is gzipped,
// as the page reads it) and keeps every goroutine as a struct
// (id, state, wait, frames with function, arguments, file and line, and
// its creator), with no grouping, no interning and no summary, the way a
// straightforward Go tool would hold a dump before analysing it. It uses
// the standard library only, so building it downloads nothing.
//
//	goparse FILE
//
// prints the goroutine and frame counts and the time spent parsing, so the
// benchmark can check the counts against ours and time the process.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

type Frame struct {
	Func, Args, File string
	Line             int
}

type Goroutine struct {
	ID          int
	State       string
	WaitMinutes int
	Locked      bool
	Frames      []Frame
	CreatedBy   Frame
	CreatorID   int
}

var goroutinePrefix = []byte("goroutine ")
var createdByPrefix = []byte("created by ")

// header parses "goroutine N [state, M minutes, locked to thread]:" and
// Go 1.26+'s labelled form, which puts labels after the brackets.
func header(line []byte) (Goroutine, bool) {
	rest := line[len(goroutinePrefix):]
	sp := bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return Goroutine{}, false
	}
	id, err := strconv.Atoi(string(rest[:sp]))
	if err != nil {
		return Goroutine{}, false
	}
	open := bytes.IndexByte(rest, '[')
	end := bytes.IndexByte(rest, ']')
	if open < 0 || end < open {
		return Goroutine{}, false
	}
	g := Goroutine{ID: id}
	for i, part := range bytes.Split(rest[open+1:end], []byte(", ")) {
		switch {
		case i == 0:
			g.State = string(part)
		case bytes.HasSuffix(part, []byte(" minutes")):
			g.WaitMinutes, _ = strconv.Atoi(string(part[:len(part)-len(" minutes")]))
		case bytes.Equal(part, []byte("locked to thread")):
			g.Locked = true
		}
	}
	return g, true
}

// fileLine parses "\tpath/file.go:123 +0x1d".
func fileLine(line []byte) (string, int) {
	line = bytes.TrimSpace(line)
	if sp := bytes.LastIndexByte(line, ' '); sp >= 0 {
		line = line[:sp]
	}
	colon := bytes.LastIndexByte(line, ':')
	if colon < 0 {
		return string(line), 0
	}
	n, _ := strconv.Atoi(string(line[colon+1:]))
	return string(line[:colon]), n
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goparse FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	start := time.Now()
	// A gzipped dump is read through the inflater, as the page reads it.
	br := bufio.NewReaderSize(f, 1<<20)
	var in io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		in = zr
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var all []Goroutine
	var cur *Goroutine
	var pending *Frame
	frames := 0
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			cur, pending = nil, nil
		case bytes.HasPrefix(line, goroutinePrefix):
			if g, ok := header(line); ok {
				all = append(all, g)
				cur, pending = &all[len(all)-1], nil
			}
		case cur == nil:
		case line[0] == '\t' || line[0] == ' ':
			if pending != nil {
				pending.File, pending.Line = fileLine(line)
				pending = nil
			}
		case line[0] == '.' || line[0] == '[':
			// "...N frames elided..." and "[originating from goroutine N]:"
			// are not frames.
		case bytes.HasPrefix(line, createdByPrefix):
			name := line[len(createdByPrefix):]
			if i := bytes.Index(name, []byte(" in goroutine ")); i >= 0 {
				cur.CreatorID, _ = strconv.Atoi(string(name[i+len(" in goroutine "):]))
				name = name[:i]
			}
			cur.CreatedBy = Frame{Func: string(name)}
			pending = &cur.CreatedBy
		default:
			fr := Frame{Func: string(line)}
			if open := bytes.LastIndexByte(line, '('); open > 0 {
				fr = Frame{Func: string(line[:open]), Args: string(line[open:])}
			}
			cur.Frames = append(cur.Frames, fr)
			pending = &cur.Frames[len(cur.Frames)-1]
			frames++
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("goroutines %d frames %d parse_ms %.1f\n", len(all), frames, float64(time.Since(start).Microseconds())/1000)
}
