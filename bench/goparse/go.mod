module goparse

go 1.21
