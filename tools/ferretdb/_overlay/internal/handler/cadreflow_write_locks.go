// cadreflow's addition to FerretDB v1, built into its handler package (tools/ferretdb/patches.json, "overlay").
//
// FerretDB v1 runs an update, a findAndModify and a delete as a read of the documents the filter may match, the
// filter applied again in Go, and then a write of each matching document by _id: an update writes the whole
// document it computed from what it read. Two writers of one document can both read it while it matches their
// filters, and the later write undoes the earlier one. So a conditional update ("only while the e-mail is armed",
// "only while the stored revision is older") is not atomic, as it is on MongoDB: an e-mail the dispatcher marked
// sent went back to "cancelled" when a disarm that had read it armed wrote after the mark.
//
// lockWrite makes such writes atomic against one another in this process: a write whose filter names one _id
// holds that document's lock from its read to its write, and any other write holds its whole collection. Reads
// take no lock (each write is one SQL statement: a read sees a document before it or after it). One FerretDB
// process serves a database here; several processes over one database would need the lock in the database.

package handler

import (
	"fmt"
	"sync"

	"github.com/FerretDB/FerretDB/internal/types"
)

type collectionLocks struct {
	// whole is held shared by writes of one document, and alone by writes of any others.
	whole sync.RWMutex
	mu    sync.Mutex
	docs  map[string]*documentLock
}

type documentLock struct {
	sync.Mutex
	holders int
}

var writeLocks = struct {
	sync.Mutex
	collections map[string]*collectionLocks
}{collections: map[string]*collectionLocks{}}

// lockWrite waits until this process writes nothing else the filter may match in db.collection, and answers
// the function that ends the write.
func lockWrite(db, collection string, filter *types.Document) (unlock func()) {
	writeLocks.Lock()
	key := db + "\x00" + collection
	c := writeLocks.collections[key]
	if c == nil {
		c = &collectionLocks{docs: map[string]*documentLock{}}
		writeLocks.collections[key] = c
	}
	writeLocks.Unlock()

	id, one := singleID(filter)
	if !one {
		c.whole.Lock()
		return c.whole.Unlock
	}

	c.whole.RLock()
	c.mu.Lock()
	d := c.docs[id]
	if d == nil {
		d = new(documentLock)
		c.docs[id] = d
	}
	d.holders++
	c.mu.Unlock()
	d.Lock()

	return func() {
		d.Unlock()
		c.mu.Lock()
		if d.holders--; d.holders == 0 {
			delete(c.docs, id)
		}
		c.mu.Unlock()
		c.whole.RUnlock()
	}
}

// singleID answers the one _id a filter's top-level {_id: value} names, if it names one: an operator
// ({_id: {$in: [...]}}) or a document or array value is taken as possibly matching several.
func singleID(filter *types.Document) (string, bool) {
	if filter == nil || !filter.Has("_id") {
		return "", false
	}

	v, _ := filter.Get("_id")
	switch n := v.(type) {
	case *types.Document, *types.Array:
		return "", false
	// 1, 1.0 and int64(1) name the same document; two large int64s may share a key, which only makes them wait
	// for each other.
	case int32:
		return fmt.Sprintf("number %v", float64(n)), true
	case int64:
		return fmt.Sprintf("number %v", float64(n)), true
	case float64:
		return fmt.Sprintf("number %v", n), true
	default:
		return fmt.Sprintf("%T %v", v, v), true
	}
}
