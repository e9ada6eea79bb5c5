package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gmkit/gmkit/serve/guppy"
)

func newGuppyGetCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	var showHeader bool
	cmd := &cobra.Command{
		Use:   "guppy-get URL",
		Short: "Fetch a guppy:// URL and print the body",
		Long: `Guppy-get fetches one guppy:// URL with a complete Guppy client (acks,
retransmission, reordering) and prints the body to standard output. Input
prompts, redirects and errors are printed to standard error with a non-zero
exit status. Handy for checking a Guppy server, gmkit's or anyone's.`,
		Example: `  gmkit guppy-get guppy://localhost/
  gmkit guppy-get 'guppy://localhost/cgi-bin/search?radio'`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := &guppy.Client{Timeout: timeout}
			resp, err := c.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			switch resp.Status {
			case guppy.StatusSuccess:
				if showHeader {
					fmt.Fprintf(g.stderr, "success %s, %d bytes\n", resp.Meta, len(resp.Body))
				}
				_, err := g.stdout.Write(resp.Body)
				return err
			case guppy.StatusInput:
				return fmt.Errorf("the server asks for input: %s (add your answer to the URL after a ?, with %%20 for each space: %s?your%%20answer)", resp.Meta, strings.SplitN(args[0], "?", 2)[0])
			case guppy.StatusRedirect:
				return fmt.Errorf("redirected to %s", resp.Meta)
			default:
				return fmt.Errorf("error from the server: %s", resp.Meta)
			}
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long")
	cmd.Flags().BoolVarP(&showHeader, "verbose", "v", false, "print the MIME type and size to standard error")
	return cmd
}
