// Package gemini serves the Gemini protocol in the shape of net/http: a
// Handler answers a Request through a ResponseWriter, a Server runs
// handlers over TLS connections, and FileServer, CGIHandler, Redirects and
// RequireCertificate are ready-made handlers.
package gemini

import "strconv"

// Status is a Gemini response status code (10-69).
type Status int

// String returns the code as sent on the wire ("51").
func (s Status) String() string { return strconv.Itoa(int(s)) }

// Gemini status codes.
const (
	StatusInput                    Status = 10
	StatusSensitiveInput                  = 11
	StatusSuccess                         = 20
	StatusRedirect                        = 30
	StatusPermanentRedirect               = 31
	StatusTemporaryFailure                = 40
	StatusServerUnavailable               = 41
	StatusCGIError                        = 42
	StatusProxyError                      = 43
	StatusSlowDown                        = 44
	StatusPermanentFailure                = 50
	StatusNotFound                        = 51
	StatusGone                            = 52
	StatusProxyRequestRefused             = 53
	StatusBadRequest                      = 59
	StatusCertificateRequired             = 60
	StatusCertificateNotAuthorised        = 61
	StatusCertificateNotValid             = 62
)

// StatusText returns a short English meta line for an error or request
// status, or "" for codes it does not know.
func StatusText(code Status) string {
	switch code {
	case StatusInput, StatusSensitiveInput:
		return "Input"
	case StatusRedirect, StatusPermanentRedirect:
		return "Redirect"
	case StatusTemporaryFailure:
		return "Temporary failure"
	case StatusServerUnavailable:
		return "Server unavailable"
	case StatusCGIError:
		return "CGI error"
	case StatusProxyError:
		return "Proxy error"
	case StatusSlowDown:
		return "Slow down"
	case StatusPermanentFailure:
		return "Permanent failure"
	case StatusNotFound:
		return "Not found"
	case StatusGone:
		return "Gone"
	case StatusProxyRequestRefused:
		return "Proxy request refused"
	case StatusBadRequest:
		return "Bad request"
	case StatusCertificateRequired:
		return "Client certificate required"
	case StatusCertificateNotAuthorised:
		return "Certificate not authorised"
	case StatusCertificateNotValid:
		return "Certificate not valid"
	}
	return ""
}
