package secrets_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pullsecret/pullsecret/secrets"
)

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		validate func(string) error
		in       string
		wantMsg  string // substring of the error, "" for valid
	}{
		{"subdomain", secrets.ValidateName, "pull-secret.v1", ""},
		{"subdomain upper case", secrets.ValidateName, "Pull", "a lowercase RFC 1123 subdomain"},
		{"subdomain too long", secrets.ValidateName, strings.Repeat("a", 254), "must be no more than 253 characters"},
		{"subdomain empty", secrets.ValidateName, "", "a lowercase RFC 1123 subdomain"},
		{"namespace", secrets.ValidateNamespace, "team-a", ""},
		{"namespace with a dot", secrets.ValidateNamespace, "team.a", "must not contain dots"},
		{"namespace upper case", secrets.ValidateNamespace, "Team", "a lowercase RFC 1123 label"},
		{"namespace too long", secrets.ValidateNamespace, strings.Repeat("a", 64), "must be no more than 63 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.validate(tt.in)
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Errorf("error = %v, want nil", err)
			case tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg) || !errors.Is(err, secrets.ErrInvalidName)):
				t.Errorf("error = %v, want one containing %q and wrapping ErrInvalidName", err, tt.wantMsg)
			}
		})
	}
}
