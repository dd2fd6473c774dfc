; strokebot 0.1.0, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 20 x 20 mm, Y up: flipped against the page height, pen width 1.028 mm
; 2 strokes, 18 points (simplified from 31, tolerance 0.514 mm)
; pen-down length 20.0 mm, pen-up travel 0.5 mm
; estimated plot time 2 s (feed 2000 mm/min, travel 4000 mm/min)
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X6.216 Y13.188
M3 S90
G4 P0.15
G1 X9.983 Y12.881 F2000
M3 S30
G4 P0.15
G0 X9.519 Y12.850
M3 S90
G4 P0.15
G1 X8.691 Y12.843 F2000
G1 X13.448 Y12.553
G1 X12.815 Y10.498
G1 X12.280 Y9.607
G1 X11.827 Y8.569
G1 X11.202 Y7.424
G1 X10.358 Y6.287
G1 X10.288 Y6.294
G1 X10.287 Y6.279
G1 X9.889 Y5.640
G1 X9.008 Y3.974
G1 X9.146 Y3.794
G1 X9.198 Y3.944
G1 X9.145 Y3.560
G1 X9.134 Y3.661
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
