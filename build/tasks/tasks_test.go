package tasks

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestRunTasksReportsTheFirstFailureInOrder(t *testing.T) {
	for _, first := range []int{0, 3, 7} {
		var ran [10]atomic.Bool
		release := make(chan struct{})
		tasks := make([]func() error, 10)
		for i := range tasks {
			tasks[i] = func() error {
				ran[i].Store(true)
				switch i {
				case 2:
					<-release // fails after task 6 has failed
					return errors.New("task 2")
				case 6:
					defer close(release)
					return errors.New("task 6")
				}
				return nil
			}
		}
		// Task 6 always fails first (task 2 waits for it), yet task
		// 2's error is the one reported, whatever the start order.
		err := Run(context.Background(), tasks, first)
		if err == nil || err.Error() != "task 2" {
			t.Errorf("first=%d: got error %v, want task 2's", first, err)
		}
		for i := range tasks {
			if i < 6 && !ran[i].Load() {
				t.Errorf("first=%d: task %d before the failure did not run", first, i)
			}
		}
	}
}

func TestRunTasksStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	tasks := []func() error{func() error { calls++; return nil }}
	if err := Run(ctx, tasks, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if calls != 0 {
		t.Errorf("got %d calls, want none after cancel", calls)
	}
}
