package bearer

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckName tells whether name can stand in a tokens file as written: not empty, no
// surrounding white space (the parser trims it), not starting with '#' (a comment), and
// no control characters or invalid UTF-8, since the name reaches request logs. Colons
// are allowed: a line splits at its last colon. The error never quotes the name.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("the name is empty")
	case strings.TrimSpace(name) != name:
		return errors.New("the name starts or ends with white space")
	case strings.HasPrefix(name, "#"):
		return errors.New("the name starts with '#', which makes the line a comment")
	case !utf8.ValidString(name):
		return errors.New("the name is not valid UTF-8")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("the name holds a control character")
	}
	return nil
}
