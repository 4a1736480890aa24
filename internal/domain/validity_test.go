package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestValiditySourceIsTheLeastFreshCachedRead(t *testing.T) {
	var v Validity
	_, ok := v.Source()
	assert.False(t, ok, "nothing read")
	v.Add(Read{})
	_, ok = v.Source()
	assert.False(t, ok, "no read went through a cache")
	for _, step := range []struct {
		read Read
		want ReadSource
	}{
		{Read{Source: ReadHit, Version: "a@1"}, ReadHit},
		{Read{Source: ReadMiss, Version: "b@1"}, ReadMiss},
		{Read{Source: ReadHit, Version: "c@1"}, ReadMiss},
		{Read{Source: ReadStale, Version: "d@1"}, ReadStale},
	} {
		v.Add(step.read)
		got, ok := v.Source()
		assert.True(t, ok)
		assert.Equal(t, step.want, got)
	}
}

func TestValidityIsReusableOnlyWhenEveryReadWasStoredAndFresh(t *testing.T) {
	var v Validity
	_, _, ok := v.Reusable()
	assert.False(t, ok, "an answer that read nothing vouches for nothing")

	v.Add(Read{Source: ReadMiss, Version: "a@1"})
	v.Add(Read{Source: ReadHit, Version: "b@2"})
	versions, maxAge, ok := v.Reusable()
	assert.True(t, ok)
	assert.Equal(t, []string{"a@1", "b@2"}, versions)
	assert.Zero(t, maxAge)

	unstored := v
	unstored.Add(Read{Source: ReadMiss})
	_, _, ok = unstored.Reusable()
	assert.False(t, ok, "a read with nothing stored")

	stale := v
	stale.Add(Read{Source: ReadStale, Version: "c@1"})
	_, _, ok = stale.Reusable()
	assert.False(t, ok, "a stale read")
}

func TestValidityKeepsTheShortestClockBound(t *testing.T) {
	var v Validity
	v.Add(Read{Source: ReadHit, Version: "a@1"})
	v.ExpireWithin(time.Minute)
	v.ExpireWithin(time.Hour)
	_, maxAge, ok := v.Reusable()
	assert.True(t, ok)
	assert.Equal(t, time.Minute, maxAge)

	v.ExpireWithin(0)
	_, _, ok = v.Reusable()
	assert.False(t, ok, "an answer whose window has already moved")
}
