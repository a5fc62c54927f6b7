package shop

import "os"

var interrupt = os.Interrupt
