package output

import "testing"

func TestSettings(t *testing.T) {
	s := Settings{Own: map[string]any{"name": "x", "empty": "", "n": 7, "f": 8.0, "half": 1.5, "word": "seven", "listen": ":7070"}}
	if got, err := s.String("name", "d"); got != "x" || err != nil {
		t.Errorf(`String("name") = %q, %v; want "x"`, got, err)
	}
	if got, err := s.String("empty", "d"); got != "d" || err != nil {
		t.Errorf(`String("empty") = %q, %v; want the default`, got, err)
	}
	if _, err := s.String("n", "d"); err == nil {
		t.Error(`String("n"): a number read as text`)
	}
	for key, want := range map[string]int{"n": 7, "f": 8, "missing": 3} {
		if got, err := s.Int(key, 3); got != want || err != nil {
			t.Errorf("Int(%q) = %d, %v; want %d", key, got, err, want)
		}
	}
	for _, key := range []string{"half", "word"} {
		if _, err := s.Int(key, 3); err == nil {
			t.Errorf("Int(%q): no error", key)
		}
	}
	if got, err := s.Port(70); got != 7070 || err != nil {
		t.Errorf("Port = %d, %v; want the listen port 7070", got, err)
	}
	s.Own["port"] = 70
	if got, err := s.Port(1); got != 70 || err != nil {
		t.Errorf("Port = %d, %v; want the port setting 70", got, err)
	}
	if got, err := (Settings{}).Port(1965); got != 1965 || err != nil {
		t.Errorf("Port = %d, %v; want the default", got, err)
	}
}

func TestQueryAndScheme(t *testing.T) {
	for dest, want := range map[string]string{"/x?q=1#f": "?q=1", "/x#f?no": "", "/x": "", "?a": "?a"} {
		if got := Query(dest); got != want {
			t.Errorf("Query(%q) = %q, want %q", dest, got, want)
		}
	}
	for s, want := range map[string]bool{"gemini://x": true, "mailto:a": true, "a+b.c-d:x": true, "/x:y": false, ":x": false, "1a:x": false, "x": false} {
		if got := HasScheme(s); got != want {
			t.Errorf("HasScheme(%q) = %v, want %v", s, got, want)
		}
	}
}
