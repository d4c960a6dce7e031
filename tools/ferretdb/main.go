// Command cadreflow-ferretdb runs FerretDB v1 embedded, so that the dev stack and the tests get a
// MongoDB wire-protocol server built from the Go module proxy alone. The upstream `go install` of
// FerretDB's own command panics at start for a missing version file; embedding avoids that.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "storage handler: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:./data/ferretdb/", "SQLite directory URL (the directory must exist)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL for the postgresql handler")
	flag.Parse()

	if *handler != "sqlite" && *handler != "postgresql" {
		fmt.Fprintf(os.Stderr, "cadreflow-ferretdb: unknown handler %q (use sqlite or postgresql)\n", *handler)
		os.Exit(2)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       *handler,
		SQLiteURL:     *sqliteURL,
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cadreflow-ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// SIGUSR1 writes every goroutine's stack to stderr and goes on serving: what a server that stopped
	// answering is waiting on, without ending it (Go's own SIGQUIT dump ends the process).
	dump := make(chan os.Signal, 1)
	signal.Notify(dump, syscall.SIGUSR1)
	go func() {
		for range dump {
			fmt.Fprintln(os.Stderr, "cadreflow-ferretdb: goroutines on SIGUSR1")
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		}
	}()

	fmt.Printf("cadreflow-ferretdb listening on %s (%s)\n", *listen, *handler)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "cadreflow-ferretdb: %v\n", err)
		os.Exit(1)
	}
}
