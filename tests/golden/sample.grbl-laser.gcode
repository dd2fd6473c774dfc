; strokebot VERSION, profile grbl-laser (bundled): GRBL 1.1 laser: dynamic power
; M4, S follows ink intensity, off during G0
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 7.3 s, the whole program from X0 Y0 Z0 (feed 1000 mm/min,
; G0 at the max rates); it assumes GRBL $110=3000 $111=3000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=1 (laser mode) and s_max equal to $30.
G21
G90
G94
M5
M4 S0
G0 X21.000 Y10.000
G1 X19.243 Y5.050 S962 F1000
G1 X15.000 Y3.000 S925
G1 X10.757 Y5.050 S888
G1 X9.000 Y10.000 S850
G1 X10.757 Y14.950 S812
G1 X15.000 Y17.000 S775
G1 X19.243 Y14.950 S737
G1 X21.000 Y10.000 S700
G0 X35.000 Y17.000
G1 X38.000 Y3.000 S1000 F1000
G1 X41.000 Y17.000 S900
G1 X44.000 Y3.000 S800
G0 X47.500 Y5.000
M5
G0 X0 Y0
M2
