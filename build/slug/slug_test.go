package slug

import "testing"

func TestMake(t *testing.T) {
	for _, c := range []struct {
		title   string
		unicode bool
		want    string
	}{
		{"Ça va? 日本語 🎉", false, "ca-va"},
		{"Ça va? 日本語 🎉", true, "ça-va-日本語"},
		{"日本語 🎉", false, ""},
		{"Hello, Small Web!", false, "hello-small-web"},
		{"Straße und Öl", false, "strasse-und-ol"},
		{"Crème brûlée, naïve façade", false, "creme-brulee-naive-facade"},
		{"Łódź – Ærø", false, "lodz-aero"},
		{"ﬁne Ｆｕｌｌ", false, "fine-full"},
		{"2025: año nuevo", false, "2025-ano-nuevo"},
		{"  --  ", false, ""},
		{"Привет мир", false, ""},
		{"Привет мир", true, "привет-мир"},
	} {
		if got := Make(c.title, c.unicode); got != c.want {
			t.Errorf("Make(%q, %v): got %q, want %q", c.title, c.unicode, got, c.want)
		}
	}
}

func TestFoldIsASCII(t *testing.T) {
	for _, s := range []string{"Ça va? 日本語 🎉", "Ωmega ŋ ʃ", "a\u0301b", "\xff\xfe"} {
		for i := 0; i < len(Fold(s)); i++ {
			if c := Fold(s)[i]; c >= 0x80 {
				t.Errorf("Fold(%q) = %q: byte %d is %#x, not ASCII", s, Fold(s), i, c)
			}
		}
	}
}

// TestFoldFastPath: the ASCII fast path gives what the full fold gives.
func TestFoldFastPath(t *testing.T) {
	for _, s := range []string{"", "plain words", "Tabs\tand-dashes_42", "del\x7fchar", "ça va", "Straße"} {
		if got, want := Fold(s), fold(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}
